"""ABC classification: apply the classes proposed by the usage analysis to the items.

An item's class decides how often it is counted (CountSchedule). Items are company master data,
so the change goes through core's master-data service and the item's history records who
changed it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import PermissionDenied
from core.events import publish
from core.models import Item
from core.services.master_data import update_record
from wms.selectors.kpis import abc_from_usage


def apply_abc_classes(*, site, user, start, end, a_share: float = 0.8, b_share: float = 0.95) -> int:
    """Set each item's ABC class to the one its usage value at `site` over [start, end] proposes.
    Returns how many items changed class."""
    if not user.has_perm("core.change_item"):
        raise PermissionDenied(_("Only those who maintain items may change their ABC class."))
    proposals = abc_from_usage(user=user, site=site, start=start, end=end, a_share=a_share, b_share=b_share)
    changes = {
        row.item: row.proposed_class
        for row in proposals.itertuples(index=False)
        if row.proposed_class != row.current_class
    }
    if not changes:
        return 0
    with transaction.atomic():
        for item in Item.objects.filter(code__in=changes).order_by("pk"):
            update_record(instance=item, user=user, data={"abc_class": changes[item.code]})
        publish(
            "wms.abc.applied",
            {"site": site.code, "start": start.isoformat(), "end": end.isoformat(), "changed": changes},
            site=site,
        )
    return len(changes)
