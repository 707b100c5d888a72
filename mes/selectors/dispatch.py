"""Dispatch lists: the operations waiting at a work centre or equipment, in the order of the
released schedule when there is one (planned start), otherwise most urgent first (priority, then
due date), each saying whether it can start now and, if not, why."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from mes.models import UNAVAILABLE_STATES, Operation, OperationStatus, WorkOrderMaterial, WorkOrderStatus
from wms.models import LotStatus, StockQuant
from wms.selectors.availability import holding_lines
from wms.services.picking import UNPICKABLE_ZONES

OPEN_OPERATION = (
    OperationStatus.PENDING,
    OperationStatus.READY,
    OperationStatus.SETUP,
    OperationStatus.RUNNING,
    OperationStatus.PAUSED,
)
ACTIVE = (OperationStatus.SETUP, OperationStatus.RUNNING, OperationStatus.PAUSED)
LISTED_ORDERS = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD)


def usable_stock(site_ids, item_ids) -> dict[tuple[int, int], Decimal]:
    """On hand per (site, item) that production may use: available, unexpired lots in bins that
    are neither blocked nor in quarantine or receiving."""
    today = timezone.localdate()
    usable_lot = Q(lot__isnull=True) | (
        Q(lot__status=LotStatus.AVAILABLE) & (Q(lot__expiry__isnull=True) | Q(lot__expiry__gte=today))
    )
    rows = (
        StockQuant.objects.filter(site_id__in=site_ids, item_id__in=item_ids, quantity__gt=0, bin__blocked=False)
        .exclude(bin__zone__kind__in=UNPICKABLE_ZONES)
        .filter(usable_lot)
        .values("site_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {(r["site_id"], r["item_id"]): r["total"] for r in rows}


def _usable_lines(today):
    """Open allocation lines holding stock production may use (usable lot, unblocked bin)."""
    usable_lot = Q(lot__isnull=True) | (
        Q(lot__status=LotStatus.AVAILABLE) & (Q(lot__expiry__isnull=True) | Q(lot__expiry__gte=today))
    )
    return holding_lines().filter(usable_lot, bin__blocked=False).exclude(bin__zone__kind__in=UNPICKABLE_ZONES)


def reserved_for_orders(order_ids) -> dict[tuple[int, int], Decimal]:
    """(order, item) -> usable stock the orders' reservations hold; an order with a reservation
    has a key (order, None)."""
    from mes.models import WorkOrderReservation

    result = {
        (order_id, None): Decimal(0)
        for order_id in WorkOrderReservation.objects.filter(work_order_id__in=order_ids).values_list(
            "work_order_id", flat=True
        )
    }
    if not result:
        return result
    rows = (
        _usable_lines(timezone.localdate())
        .filter(pick_list__work_order_reservation__work_order_id__in=order_ids)
        .values("item_id", order_id=F("pick_list__work_order_reservation__work_order_id"))
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    for row in rows:
        result[(row["order_id"], row["item_id"])] = row["total"]
    return result


def free_stock(site_ids, item_ids, usable) -> dict[tuple[int, int], Decimal]:
    """Usable stock per (site, item) that no open pick line holds."""
    if not item_ids:
        return {}
    held = {
        (r["pick_list__site_id"], r["item_id"]): r["total"]
        for r in _usable_lines(timezone.localdate())
        .filter(pick_list__site_id__in=site_ids, item_id__in=item_ids)
        .values("pick_list__site_id", "item_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }
    return {key: max(total - held.get(key, Decimal(0)), Decimal(0)) for key, total in usable.items()}


def dispatch_list(*, user, work_centre=None, equipment=None) -> list[dict]:
    """The open operations of `work_centre` (or of `equipment`'s work centre that it may run),
    each with `startable`, `reason` (ready, in_progress, quality_hold, on_hold, waiting_previous,
    waiting_material, equipment_down), a message, and `short` materials."""
    if equipment is not None:
        work_centre = equipment.work_centre
    operations = (
        Operation.objects.for_user(user)
        .filter(status__in=OPEN_OPERATION, work_order__status__in=LISTED_ORDERS)
        .select_related("work_order__item__base_unit", "work_order__site", "work_centre", "equipment")
        .prefetch_related("eligible_equipment")
        .order_by(
            F("planned_start").asc(nulls_last=True),
            "work_order__priority",
            "work_order__due",
            "work_order__number",
            "sequence",
        )
    )
    if work_centre is not None:
        operations = operations.filter(work_centre=work_centre)
    if equipment is not None:
        operations = operations.filter(Q(equipment__isnull=True) | Q(equipment=equipment)).filter(
            Q(eligible_equipment__isnull=True) | Q(eligible_equipment=equipment)
        )
    operations = list(operations.distinct())
    order_ids = {op.work_order_id for op in operations}

    started = defaultdict(dict)  # order -> sequence -> started?
    for order_id, sequence, started_at in Operation.objects.filter(work_order_id__in=order_ids).values_list(
        "work_order_id", "sequence", "started_at"
    ):
        started[order_id][sequence] = started_at is not None
    needs = defaultdict(list)
    for material in WorkOrderMaterial.objects.filter(work_order_id__in=order_ids).select_related(
        "component__base_unit"
    ):
        if material.required > material.issued:
            needs[(material.work_order_id, material.operation_sequence)].append(material)
    site_ids = {op.work_order.site_id for op in operations}
    component_ids = {m.component_id for group in needs.values() for m in group}
    stock = usable_stock(site_ids, component_ids)
    reserved = reserved_for_orders(order_ids)
    free = free_stock(site_ids, component_ids, stock) if reserved else {}
    centre_equipment = {}
    if operations:
        from mes.models import Equipment

        for eq in Equipment.objects.filter(work_centre_id__in={op.work_centre_id for op in operations}, active=True):
            centre_equipment.setdefault(eq.work_centre_id, []).append(eq)

    lines = []
    for op in operations:
        order = op.work_order
        short = []
        for material in needs.get((order.pk, op.sequence), ()):
            wanted = material.required - material.issued
            available = stock.get((order.site_id, material.component_id), Decimal(0))
            if (order.pk, None) in reserved:
                # Reserved at release: what its own lines hold (still usable) and what nobody holds.
                available = reserved.get((order.pk, material.component_id), Decimal(0)) + free.get(
                    (order.site_id, material.component_id), Decimal(0)
                )
            if available < wanted:
                short.append(
                    {
                        "item": material.component.code,
                        "needed": wanted,
                        "available": available,
                        "unit": material.component.base_unit.code,
                    }
                )
        previous = [seq for seq in started[order.pk] if seq < op.sequence]
        waiting_previous = bool(previous) and not started[order.pk][max(previous)]
        if equipment is not None:
            machines = [equipment]
        elif op.equipment is not None:
            machines = [op.equipment]
        else:
            machines = list(op.eligible_equipment.all()) or centre_equipment.get(op.work_centre_id, [])
        down = bool(machines) and all(m.state in UNAVAILABLE_STATES for m in machines)
        held_machines = [m for m in machines if m.quality_hold_reason]

        if order.quality_hold_reason:
            reason = "quality_hold"
            message = _("Quality hold: %(reason)s") % {"reason": order.quality_hold_reason}
        elif op.status in ACTIVE and not (op.equipment and op.equipment.quality_hold_reason):
            reason, message = "in_progress", op.get_status_display()
        elif op.status in ACTIVE or (machines and len(held_machines) == len(machines)):
            held = held_machines or [op.equipment]
            reason = "quality_hold"
            message = _("Quality hold on %(eq)s: %(reason)s") % {
                "eq": ", ".join(m.code for m in held),
                "reason": held[0].quality_hold_reason,
            }
        elif order.status == WorkOrderStatus.ON_HOLD:
            reason, message = "on_hold", _("Work order on hold")
        elif waiting_previous:
            reason, message = "waiting_previous", _("Waiting for operation %(seq)s") % {"seq": max(previous)}
        elif short:
            reason = "waiting_material"
            message = _("Short: %(items)s") % {"items": ", ".join(s["item"] for s in short)}
        elif down:
            reason = "equipment_down"
            message = _("Equipment down: %(eq)s") % {"eq": ", ".join(m.code for m in machines)}
        else:
            reason, message = "ready", _("Ready to start")
        lines.append(
            {
                "operation": op,
                "startable": reason == "ready",
                "reason": reason,
                "message": str(message),
                "short": short,
            }
        )
    return lines
