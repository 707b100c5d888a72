"""The supervisor dashboard's reads: one tile per machine (state, current job, progress, OEE today,
open alerts), the open work orders against their due dates and the WIP of each work centre.

Every function reads a whole site (or one area, work centre or machine of it) in a fixed number
of queries, whatever the number of machines and orders: the tiles of 200 machines cost what one
tile costs (bench/mes_dashboard.py).
"""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from mes.models import (
    Area,
    Equipment,
    EquipmentState,
    Operation,
    OperationStatus,
    WorkCentre,
    WorkOrder,
    WorkOrderStatus,
)
from mes.selectors.oee import oee_today

ACTIVE_OPERATION = (OperationStatus.SETUP, OperationStatus.RUNNING, OperationStatus.PAUSED)
OPEN_ORDER = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.ON_HOLD)
# An order is at risk when the standard time of its remaining work, less this margin of the time
# left, no longer fits before its due date.
AT_RISK_MARGIN = Decimal("0.8")


def dashboard_equipment(*, user, site, area=None, work_centre=None):
    """The active machines of `site` the user may see (of one area or work centre when given)."""
    rows = (
        Equipment.objects.for_user(user)
        .filter(site=site, active=True)
        .select_related("site", "work_centre__area")
        .order_by("work_centre__area__code", "work_centre__code", "code")
    )
    if area is not None:
        rows = rows.filter(work_centre__area=area)
    if work_centre is not None:
        rows = rows.filter(work_centre=work_centre)
    return rows


def area_list(*, user, site):
    return Area.objects.for_user(user).filter(site=site).order_by("code")


def work_centre_choices(*, user, site, area=None):
    rows = WorkCentre.objects.for_user(user).filter(site=site, active=True).select_related("area").order_by("code")
    return rows.filter(area=area) if area is not None else rows


def active_alert_counts(equipment_ids) -> dict[int, int]:
    """Open (raised or acknowledged) alerts per machine id, from one grouped query."""
    from mes.models import Alert, AlertStatus

    return dict(
        Alert.objects.filter(equipment_id__in=list(equipment_ids))
        .exclude(status=AlertStatus.RESOLVED)
        .values_list("equipment_id")
        .annotate(n=Count("id"))
        .order_by()
    )


def current_operations(equipment_ids) -> dict[int, Operation]:
    """The operation each machine is working on (set up, running or paused), latest first."""
    current: dict[int, Operation] = {}
    rows = (
        Operation.objects.filter(equipment_id__in=list(equipment_ids), status__in=ACTIVE_OPERATION)
        .select_related("work_order__item")
        .only(
            *("id", "equipment_id", "sequence", "name", "status", "quantity", "good", "scrap", "started_at"),
            *("work_order__id", "work_order__number", "work_order__item__id", "work_order__item__code"),
        )
        .order_by("equipment_id", F("started_at").desc(nulls_last=True), "-id")
    )
    for operation in rows:
        current.setdefault(operation.equipment_id, operation)
    return current


def _shared_parents(machines) -> list[Equipment]:
    """The machines with one site, work-centre and area object each, shared by all the machines
    that have it: fetched without the joins' repeated columns and model instances."""
    from core.models import Site

    machines = list(machines.select_related(None).defer("created_at", "updated_at"))
    centres = {
        c.pk: c for c in WorkCentre.objects.filter(pk__in={m.work_centre_id for m in machines}).select_related("area")
    }
    sites = {s.pk: s for s in Site.objects.filter(pk__in={m.site_id for m in machines})}
    for machine in machines:
        machine.work_centre = centres[machine.work_centre_id]
        machine.site = sites[machine.site_id]
    return machines


def _ratio(part, whole) -> float | None:
    return float(part) / float(whole) if whole else None


def equipment_tiles(*, user, site, area=None, work_centre=None, equipment=None, now=None) -> list[dict]:
    """One tile per machine: state and since when, the current work order and operation with its
    progress (good + scrap of the operation's quantity), today's OEE and its factors, and the
    number of open alerts (None without an alerts model). `equipment` narrows to one machine
    (the tile a live event refreshes)."""
    now = now or timezone.now()
    machines = dashboard_equipment(user=user, site=site, area=area, work_centre=work_centre)
    if equipment is not None:
        machines = machines.filter(pk=equipment.pk)
    machines = _shared_parents(machines)
    ids = [m.pk for m in machines]
    operations = current_operations(ids)
    figures = oee_today(equipment=machines, now=now)
    alerts = active_alert_counts(ids)
    labels = {value: str(label) for value, label in EquipmentState.choices}
    tiles = []
    for machine in machines:
        operation = operations.get(machine.pk)
        day = figures[machine.pk]
        tiles.append(
            {
                "equipment": machine,
                "code": machine.code,
                "name": machine.name,
                "state": machine.state,
                "state_label": labels.get(machine.state, machine.state),
                "state_since": machine.state_since,
                "work_centre": machine.work_centre,
                "area": machine.work_centre.area,
                "operation": operation,
                "work_order": operation.work_order if operation else None,
                "done": operation.good + operation.scrap if operation else None,
                "progress": _ratio(operation.good + operation.scrap, operation.quantity) if operation else None,
                "oee": day["oee"],
                "availability": day["availability"],
                "performance": day["performance"],
                "quality": day["quality"],
                "alerts": alerts.get(machine.pk, 0),
                "figures": day,
            }
        )
    return tiles


def tile_payload(tile: dict) -> dict:
    """A tile as JSON (the dashboard API): codes instead of records, quantities as strings."""
    operation = tile["operation"]
    return {
        "equipment": tile["code"],
        "name": tile["name"],
        "state": tile["state"],
        "state_since": tile["state_since"],
        "work_centre": tile["work_centre"].code,
        "area": tile["area"].code,
        "work_order": tile["work_order"].number if tile["work_order"] else None,
        "operation": operation.pk if operation else None,
        "sequence": operation.sequence if operation else None,
        "operation_status": operation.status if operation else None,
        "quantity": str(operation.quantity) if operation else None,
        "done": str(tile["done"]) if operation else None,
        "progress": tile["progress"],
        "oee": tile["oee"],
        "availability": tile["availability"],
        "performance": tile["performance"],
        "quality": tile["quality"],
        "alerts": tile["alerts"],
    }


def _remaining_seconds():
    """Standard time of an order's work still to do: each unfinished operation's open quantity ×
    run time per unit, plus the setup of those not started."""
    open_quantity = Greatest(
        F("operations__quantity") - F("operations__good") - F("operations__scrap"), Value(Decimal(0))
    )
    run = ExpressionWrapper(open_quantity * F("operations__run_seconds_per_unit"), output_field=DecimalField())
    setup = ExpressionWrapper(F("operations__setup_minutes") * Value(Decimal(60)), output_field=DecimalField())
    return Coalesce(Sum(run, filter=~Q(operations__status=OperationStatus.DONE)), Value(Decimal(0))) + Coalesce(
        Sum(setup, filter=Q(operations__started_at__isnull=True, operations__setup_started_at__isnull=True)),
        Value(Decimal(0)),
    )


def order_progress(*, user, site, now=None, limit: int = 12) -> dict:
    """Open work orders (released, in progress, on hold) against their due dates: how many are
    late (due passed), at risk (the standard time of their remaining work does not fit in
    AT_RISK_MARGIN of the time left) and on track, and the `limit` most urgent of the late and
    at-risk ones with their progress (good of the order's quantity)."""
    now = now or timezone.now()
    rows = (
        WorkOrder.objects.for_user(user)
        .filter(site=site, status__in=OPEN_ORDER)
        .annotate(remaining=_remaining_seconds())
        .values("pk", "number", "item__code", "quantity", "good", "scrap", "due", "status", "priority", "remaining")
    )
    counts = {"late": 0, "at_risk": 0, "on_track": 0}
    urgent = []
    for row in rows:
        left = (row["due"] - now).total_seconds()
        if left < 0:
            row["risk"] = "late"
        elif float(row["remaining"]) > left * float(AT_RISK_MARGIN):
            row["risk"] = "at_risk"
        else:
            row["risk"] = "on_track"
        counts[row["risk"]] += 1
        if row["risk"] != "on_track":
            row["progress"] = _ratio(row["good"], row["quantity"])
            row["remaining_hours"] = float(row["remaining"]) / 3600
            urgent.append(row)
    urgent.sort(key=lambda r: (r["risk"] != "late", r["due"], r["priority"]))
    return {"counts": counts, "total": sum(counts.values()), "orders": urgent[:limit]}


def wip_by_work_centre(*, user, site, area=None) -> list[dict]:
    """Per work centre of `site`: operations being worked (set up, running, paused) and queued
    (ready), and the open quantity of those being worked."""
    open_quantity = ExpressionWrapper(F("quantity") - F("good") - F("scrap"), output_field=DecimalField())
    rows = Operation.objects.for_user(user).filter(
        work_order__site=site,
        work_order__status__in=OPEN_ORDER,
        status__in=(*ACTIVE_OPERATION, OperationStatus.READY),
    )
    if area is not None:
        rows = rows.filter(work_centre__area=area)
    return list(
        rows.values("work_centre__code", "work_centre__name")
        .annotate(
            active=Count("id", filter=Q(status__in=ACTIVE_OPERATION)),
            queued=Count("id", filter=Q(status=OperationStatus.READY)),
            open_quantity=Coalesce(
                Sum(open_quantity, filter=Q(status__in=ACTIVE_OPERATION)),
                Value(Decimal(0)),
                output_field=DecimalField(),
            ),
        )
        .order_by("work_centre__code")
    )


def state_timeline(*, equipment, start, end, now=None) -> list[dict]:
    """The machine's state intervals between `start` and `end` (an open one runs to now), with
    their reason: the equipment page's timeline."""
    from mes.models import EquipmentStateRecord

    now = now or timezone.now()
    rows = (
        EquipmentStateRecord.objects.filter(equipment=equipment, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .select_related("reason", "operation__work_order")
        .order_by("started_at")
    )
    timeline = []
    for record in rows:
        begin = max(record.started_at, start)
        finish = min(record.ended_at or now, end)
        if finish > begin:
            timeline.append(
                {
                    "state": record.state,
                    "label": record.get_state_display(),
                    "start": begin,
                    "end": finish,
                    "minutes": (finish - begin) / timedelta(minutes=1),
                    "reason": record.reason,
                    "note": record.note,
                    "operation": record.operation,
                    "open": record.ended_at is None,
                }
            )
    return timeline
