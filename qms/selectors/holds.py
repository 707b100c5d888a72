"""Reads of quality holds, shared by the API, the pages and the quality dashboard."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from mes.models import Equipment, WorkOrder
from qms.models import HoldStatus, QualityHold
from wms.models import Lot

HOLD_RELATED = (
    "site",
    "lot__item",
    "equipment__work_centre",
    "work_order__item",
    "placed_by",
    "released_by",
    "characteristic",
)


def hold_list(*, user) -> QuerySet[QualityHold]:
    """The holds of the user's sites, newest first, with what a list row shows."""
    return QualityHold.objects.for_user(user).select_related(*HOLD_RELATED).order_by("-placed_at", "-id")


def active_hold(record) -> QualityHold | None:
    """The active hold of a lot, piece of equipment or work order, if any."""
    field = {"lot": "lot", "equipment": "equipment", "workorder": "work_order"}[record._meta.model_name]
    return QualityHold.objects.filter(status=HoldStatus.ACTIVE, **{field: record}).only("pk", "number").first()


def find_target(*, user, site=None, item: str = "", lot: str = "", equipment: str = "", work_order: str = "") -> dict:
    """The record a hold is asked for, named by its codes as a scanner or another system sends
    them: a lot by item and lot code (and `site` when the code is used at several of the user's
    sites), equipment by code, a work order by number. Returns `{"lot": lot}` (or equipment,
    work_order); an unknown or ambiguous name is refused on its field."""
    named = [name for name, value in (("lot", lot), ("equipment", equipment), ("work_order", work_order)) if value]
    if len(named) != 1:
        raise ValidationFailed(_("Name one lot, one piece of equipment or one work order to hold."), field="target")
    if lot:
        if not item:
            raise ValidationFailed(_("Name the lot's item."), field="item")
        lots = Lot.objects.for_user(user).filter(item__code=item, code=lot).select_related("site", "item")
        if site is not None:
            lots = lots.filter(site=site) if not isinstance(site, str) else lots.filter(site__code=site)
        found = list(lots[:2])
        if not found:
            raise ValidationFailed(_("Unknown lot."), field="lot")
        if len(found) > 1:
            raise ValidationFailed(_("Name the site: the lot code is used at several."), field="site")
        return {"lot": found[0]}
    if equipment:
        machine = Equipment.objects.for_user(user).filter(code=equipment).first()
        if machine is None:
            raise ValidationFailed(_("Unknown equipment."), field="equipment")
        return {"equipment": machine}
    order = WorkOrder.objects.for_user(user).filter(number=work_order).first()
    if order is None:
        raise ValidationFailed(_("Unknown work order."), field="work_order")
    return {"work_order": order}
