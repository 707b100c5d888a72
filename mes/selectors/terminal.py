"""Reads of the operator terminal: the equipment a tablet may run, the downtime reason tree one
level at a time, and FEFO suggestions of the lots an operation should consume."""

from django.db.models import Q
from django.utils import timezone

from mes.models import DowntimeReason, Equipment, Operation, ScrapReason
from wms.models import LotStatus, StockQuant
from wms.selectors.availability import held_by_bin_and_lot
from wms.services.picking import UNPICKABLE_ZONES


def terminal_equipment(*, user, site):
    """Active equipment of `site` that the user may see, by work centre."""
    return (
        Equipment.objects.for_user(user)
        .filter(site=site, active=True)
        .select_related("work_centre")
        .order_by("work_centre__code", "code")
    )


def reason_level(*, parent: DowntimeReason | None, planned: bool | None = None) -> list[DowntimeReason]:
    """The active downtime reasons under `parent` (the roots, planned or unplanned, without)."""
    reasons = DowntimeReason.objects.filter(active=True, parent=parent)
    if parent is None and planned is not None:
        reasons = reasons.filter(planned=planned)
    return list(reasons.prefetch_related("children").order_by("name"))


def scrap_reasons() -> list[ScrapReason]:
    """Scrap reasons an operator may choose: the leaves of the tree."""
    return list(ScrapReason.objects.filter(active=True, children__isnull=True).select_related("parent"))


def terminal_operation(*, user, pk: int) -> Operation:
    return (
        Operation.objects.for_user(user)
        .select_related("work_order__item__base_unit", "work_order__site", "work_centre__line_side_bin", "equipment")
        .get(pk=pk)
    )


def fefo_suggestions(*, operation: Operation, per_item: int = 3) -> list[dict]:
    """For each material this operation consumes that is still needed: the usable stock rows,
    earliest expiry first (then oldest received, then the line-side bin), with what this order's
    reservation holds there and what is free; at most `per_item` rows each."""
    order = operation.work_order
    today = timezone.localdate()
    materials = [
        m
        for m in order.materials.filter(operation_sequence=operation.sequence).select_related("component__base_unit")
        if m.required > m.issued
    ]
    reserved = {}
    from mes.models import WorkOrderReservation
    from wms.selectors.availability import holding_lines

    for line in holding_lines().filter(
        pick_list_id__in=WorkOrderReservation.objects.filter(work_order=order).values("pick_list_id")
    ):
        key = (line.item_id, line.bin_id, line.lot_id)
        reserved[key] = reserved.get(key, 0) + line.quantity
    line_side = operation.work_centre.line_side_bin_id
    result = []
    for material in materials:
        rows = list(
            StockQuant.objects.filter(site=order.site, item=material.component, quantity__gt=0, bin__blocked=False)
            .exclude(bin__zone__kind__in=UNPICKABLE_ZONES)
            .filter(
                Q(lot__isnull=True)
                | (Q(lot__status=LotStatus.AVAILABLE) & (Q(lot__expiry__isnull=True) | Q(lot__expiry__gte=today)))
            )
            .select_related("bin", "lot")
        )
        held = held_by_bin_and_lot(site=order.site, item=material.component)

        def key(q):
            expiry = q.lot.expiry if q.lot is not None else None
            received = (q.lot.received_at or q.lot.created_at) if q.lot is not None else q.updated_at
            return (expiry is None, expiry or today, received, q.bin_id != line_side, q.bin.code)

        suggestions = []
        for quant in sorted(rows, key=key):
            mine = reserved.get((quant.item_id, quant.bin_id, quant.lot_id), 0)
            usable = quant.quantity - held.get((quant.bin_id, quant.lot_id), 0) + mine
            if usable <= 0:
                continue
            suggestions.append({"quant": quant, "usable": usable, "reserved": mine})
            if len(suggestions) >= per_item:
                break
        result.append({"material": material, "needed": material.required - material.issued, "suggestions": suggestions})
    return result
