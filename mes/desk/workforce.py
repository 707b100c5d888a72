"""Desk pages for the scheduler's plant data: labour pools, item setup families and changeover
matrices (list, form, detail). The same services as the API do the writes."""

from functools import partial

from django.utils.translation import gettext_lazy as _

from core.forms import ServiceForm
from core.object_views import ObjectPage
from core.selectors import master_data
from mes.models import Changeover, ItemSetupFamily, LabourPool
from mes.selectors import plant
from mes.selectors import workforce as selectors
from mes.services import workforce as services


class LabourPoolForm(ServiceForm):
    class Meta:
        model = LabourPool
        fields = list(services.FIELDS[LabourPool])
        help_texts = {"skill": _("The skill routing operations name, e.g. SETTER or INSPECTOR.")}


class ItemSetupFamilyForm(ServiceForm):
    class Meta:
        model = ItemSetupFamily
        fields = list(services.FIELDS[ItemSetupFamily])


class ChangeoverForm(ServiceForm):
    class Meta:
        model = Changeover
        fields = list(services.FIELDS[Changeover])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_centre"].queryset = plant.work_centre_list(user=self.user)


def _page(model, name, selector, form_class, columns, search, filters, filter_selectors):
    return ObjectPage(
        model=model,
        name=name,
        namespace="mes",
        selector=selector,
        form_class=form_class,
        list_columns=columns,
        detail_fields=columns,
        create_service=partial(services.create_record, model=model),
        update_service=services.update_record,
        delete_service=services.delete_record,
        search_fields=search,
        filters=filters,
        filter_selectors=filter_selectors,
        signable=False,
    )


PAGES = {
    "labourpool": _page(
        LabourPool,
        "labourpool",
        selectors.labour_pool_list,
        LabourPoolForm,
        ["site", "skill", "capacity"],
        ["skill"],
        ["site"],
        {"site": master_data.site_list},
    ),
    "itemsetupfamily": _page(
        ItemSetupFamily,
        "itemsetupfamily",
        selectors.setup_family_list,
        ItemSetupFamilyForm,
        ["site", "item", "family"],
        ["family", "item__code"],
        ["site"],
        {"site": master_data.site_list},
    ),
    "changeover": _page(
        Changeover,
        "changeover",
        selectors.changeover_list,
        ChangeoverForm,
        ["work_centre", "from_family", "to_family", "minutes"],
        ["from_family", "to_family", "work_centre__code"],
        ["work_centre"],
        {"work_centre": plant.work_centre_list},
    ),
}
