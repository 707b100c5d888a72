"""Warehouse setup on the desk: warehouses, zones, bins (one by one or a whole grid at once) and
reorder rules. The list, detail and form pages are `core.object_views` pages; every write goes
through the same services as the API (`wms.services.locations`, `wms.services.planning`)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import REFUSALS
from core.object_views import ObjectPage
from wms.desk import setup_forms
from wms.desk.views.base import desk
from wms.models import Bin, StockPolicy, Warehouse, Zone
from wms.selectors.planning import stock_policy_list
from wms.selectors.stock import bin_list, warehouse_list, zone_list
from wms.services import locations, planning

PREVIEW_CODES = 60  # codes listed on the preview; the count covers them all


def _only(data: dict, allowed) -> dict:
    return {name: value for name, value in data.items() if name in allowed}


def _create_warehouse(*, user, data):
    return locations.create_warehouse(user=user, **data)


def _update_warehouse(*, instance, user, data):
    return locations.update_warehouse(warehouse=instance, user=user, **_only(data, locations.WAREHOUSE_FIELDS))


def _create_zone(*, user, data):
    return locations.create_zone(user=user, **data)


def _update_zone(*, instance, user, data):
    return locations.update_zone(zone=instance, user=user, **_only(data, locations.ZONE_FIELDS))


def _create_bin(*, user, data):
    return locations.create_bin(user=user, **data)


def _update_bin(*, instance, user, data):
    return locations.update_bin(bin=instance, user=user, **_only(data, locations.BIN_FIELDS))


def _set_rule(*, user, data):
    return planning.set_reorder_rule(user=user, **data)


def _update_rule(*, instance, user, data):
    return planning.update_reorder_rule(policy=instance, user=user, **_only(data, planning.RULE_FIELDS))


def _remove_rule(*, instance, user):
    planning.remove_reorder_rule(policy=instance, user=user)


def _rule_list(*, user):
    return stock_policy_list(user=user).exclude(reorder_point=0, safety_stock=0)


WAREHOUSE_PAGE = ObjectPage(
    model=Warehouse,
    name="warehouse",
    namespace="wms",
    selector=warehouse_list,
    form_class=setup_forms.WarehouseForm,
    list_columns=["code", "name", "site", "count_variance_pct", "count_variance_value"],
    detail_fields=["code", "name", "site", "count_variance_pct", "count_variance_value", "created_at", "updated_at"],
    create_service=_create_warehouse,
    update_service=_update_warehouse,
    filters=["site"],
    signable=False,
    display={"site": lambda w: w.site.code},
)

ZONE_PAGE = ObjectPage(
    model=Zone,
    name="zone",
    namespace="wms",
    selector=lambda *, user: zone_list(user=user).order_by("warehouse__code", "code"),
    form_class=setup_forms.ZoneForm,
    list_columns=["warehouse", "code", "name", "kind", "allowed_item_types", "allows_hazardous", "temperature_class"],
    detail_fields=[
        "warehouse",
        "code",
        "name",
        "kind",
        "allowed_item_types",
        "allows_hazardous",
        "temperature_class",
        "created_at",
        "updated_at",
    ],
    create_service=_create_zone,
    update_service=_update_zone,
    filters=["warehouse", "kind"],
    filter_selectors={"warehouse": warehouse_list},
    signable=False,
    display={"warehouse": lambda z: z.warehouse.code},
)

# Bins keep their own list and detail pages (stock, moves, block); these are their forms.
BIN_PAGE = ObjectPage(
    model=Bin,
    name="bin",
    namespace="wms",
    selector=bin_list,
    form_class=setup_forms.BinForm,
    list_columns=["code"],
    detail_fields=["code"],
    create_service=_create_bin,
    update_service=_update_bin,
    signable=False,
)

REORDER_RULE_PAGE = ObjectPage(
    model=StockPolicy,
    name="reorder-rule",
    namespace="wms",
    selector=_rule_list,
    form_class=setup_forms.ReorderRuleForm,
    list_columns=["site", "item", "item_name", "reorder_point", "safety_stock", "unit"],
    detail_fields=["site", "item", "item_name", "reorder_point", "safety_stock", "unit", "abc_class"],
    create_service=_set_rule,
    update_service=_update_rule,
    delete_service=_remove_rule,
    delete_label=gettext_lazy("Remove"),
    search_fields=["item__code", "item__name"],
    filters=["site"],
    signable=False,
    labels={"item_name": gettext_lazy("item name"), "unit": gettext_lazy("unit")},
    display={
        "site": lambda p: p.site.code,
        "item": lambda p: p.item.code,
        "item_name": lambda p: p.item.name,
        "unit": lambda p: p.item.base_unit.code,
    },
)


@desk("wms.add_bin")
def bin_generate(request):
    """A grid of bins: the preview lists the codes and how many are new; "Create" makes the new
    ones in one transaction and reports those that already existed."""
    form = setup_forms.BinGenerationForm(request.POST or None, user=request.user, site=request.site)
    plan = None
    if request.method == "POST" and form.is_valid():
        try:
            if "create" in request.POST:
                result = locations.generate_bins(user=request.user, **form.grid(), **form.attributes())
            else:
                plan = locations.plan_bins(user=request.user, **form.grid())
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            if plan is None:
                _report_generation(request, result)
                return redirect(f"{reverse('wms:bin-list')}?warehouse={form.cleaned_data['warehouse'].code}")
    context = {"form": form, "plan": plan}
    if plan is not None:
        context.update(
            preview=plan.locations[:PREVIEW_CODES],
            existing=set(plan.existing),
            new_count=len(plan.new),
            total=len(plan.locations),
            pattern=_pattern(plan),
        )
    return render(request, "wms/bin_generate.html", context, status=400 if form.errors else 200)


def _pattern(plan) -> str:
    """The shape of the codes, as `WH1-{aisle}-{rack}-{level}`."""
    first = plan.locations[0]
    parts = [f"{{{_(name)}}}" for name in locations.LOCATION_PARTS if first[name]]
    return "-".join([plan.warehouse.code, *parts])


def _report_generation(request, result) -> None:
    if result.created:
        messages.success(request, _("%(count)s bins created.") % {"count": len(result.created)})
    if result.existing:
        shown = ", ".join(result.existing[:10]) + (" …" if len(result.existing) > 10 else "")
        messages.warning(
            request,
            _("%(count)s bins already existed and were left as they are: %(codes)s")
            % {"count": len(result.existing), "codes": shown},
        )
    if not result.created and not result.existing:
        messages.info(request, _("No bins to create."))
