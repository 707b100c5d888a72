"""From the plant to the engine's model: a site's open operations, its equipment and calendars,
material availability, due dates. Times are whole minutes from the version's origin.

- Operations: those of released and in-progress work orders that are not done. One that is
  set up, running or paused stays on its equipment from the origin (frozen), for what is left;
  it goes on through a calendar gap the plan starts in (it is running now).
- Durations: setup plus the open quantity at the equipment's ideal cycle time for the item
  when one is known, else the routing's run time per unit.
- Eligible equipment: the operation's own list, else the active equipment of its work centre.
- Calendars: everything outside the planned production time of the equipment (shifts, breaks,
  holidays, planned downtime) is a gap nothing runs in.
- Material: an operation whose components are short may start when an open expected receipt
  of them is due (its date's start in the site's time zone); with none, it is flagged.
- Due dates are soft (weighted tardiness); priority 1 weighs 9, priority 9 weighs 1.
- Labour: the site's labour pools are cumulative resources; an operation with a skill occupies
  its number of operators of that skill while it runs. A skill with no pool, or more operators
  than the pool has, is a warning naming the operation (the first is left out of the labour
  constraints, the second is capped at the pool), never a solver failure.
- Setups: an operation's setup family is its work order item's; each machine's changeover
  times are its work centre's matrix, added on top of the routing's own setup minutes.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from mes.models import (
    Changeover,
    Equipment,
    IdealCycleTime,
    ItemSetupFamily,
    LabourPool,
    Operation,
    OperationStatus,
    WorkOrderMaterial,
    WorkOrderStatus,
)
from mes.selectors.dispatch import usable_stock
from mes.selectors.oee import planned_time
from scheduling.engine import Assignment, Job, Machine, Model, Schedule
from scheduling.engine import LabourPool as EnginePool
from scheduling.engine import Operation as EngineOperation
from wms.models import ExpectedReceiptLine
from wms.selectors.inbound import OPEN_RECEIPT_STATUSES

SCHEDULED_ORDERS = (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
FROZEN = (OperationStatus.SETUP, OperationStatus.RUNNING, OperationStatus.PAUSED)
OPEN = (OperationStatus.PENDING, OperationStatus.READY, *FROZEN)


@dataclass
class Problem:
    """The engine's model and the records each of its names stands for."""

    model: Model
    origin: datetime
    operations: dict[str, Operation] = field(default_factory=dict)
    equipment: dict[str, Equipment] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def minutes(self, moment: datetime) -> int:
        return math.floor((moment - self.origin).total_seconds() / 60)

    def moment(self, minutes: int) -> datetime:
        return self.origin + timedelta(minutes=minutes)


def _gaps(equipment: Equipment, origin: datetime, end: datetime) -> list[tuple[int, int]]:
    """The complement of the planned production time, in minutes from `origin`."""
    if equipment.work_centre.calendar_id is None:
        return []
    windows = sorted(planned_time(equipment, origin, end))
    gaps, cursor = [], origin
    for start, stop in windows:
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, stop)
    if cursor < end:
        gaps.append((cursor, end))

    def to_minutes(moment):
        return math.floor((moment - origin).total_seconds() / 60)

    return [(to_minutes(a), to_minutes(b)) for a, b in gaps if to_minutes(b) > to_minutes(a)]


def _duration_minutes(operation: Operation, cycle_seconds: Decimal | None, *, frozen: bool) -> int:
    quantity = operation.open_quantity
    per_unit = cycle_seconds if cycle_seconds is not None else operation.run_seconds_per_unit
    setup = Decimal(0) if frozen and operation.status != OperationStatus.SETUP else operation.setup_minutes
    return max(1, math.ceil(setup + quantity * per_unit / 60))


def _material_release(problem: Problem, site, orders: dict[int, object]) -> dict[tuple[int, int], int]:
    """(work order, operation sequence) → the earliest minute its short components arrive."""
    needs = defaultdict(list)
    for material in WorkOrderMaterial.objects.filter(work_order_id__in=list(orders)).select_related("component"):
        if material.required > material.issued:
            needs[(material.work_order_id, material.operation_sequence)].append(material)
    if not needs:
        return {}
    items = {m.component_id for group in needs.values() for m in group}
    stock = usable_stock({site.pk}, items)
    arrivals = defaultdict(list)
    lines = ExpectedReceiptLine.objects.filter(
        receipt__site=site, receipt__status__in=OPEN_RECEIPT_STATUSES, item_id__in=items
    ).values_list("item_id", "receipt__expected_date", "quantity", "received_quantity")
    for item_id, expected, quantity, received in lines:
        if expected is not None and quantity > received:
            arrivals[item_id].append((expected, quantity - received))
    tz = site.tzinfo
    released = {}
    # Stock goes to orders in the order they come (priority, due), then receipts in date order.
    left = {item: stock.get((site.pk, item), Decimal(0)) for item in items}
    for key in sorted(needs, key=lambda k: (orders[k[0]].priority, orders[k[0]].due, k)):
        at = 0
        for material in needs[key]:
            wanted = material.required - material.issued
            if left[material.component_id] >= wanted:
                left[material.component_id] -= wanted
                continue
            wanted -= max(left[material.component_id], Decimal(0))
            left[material.component_id] = Decimal(0)
            date = None
            for index, (expected, quantity) in enumerate(sorted(arrivals[material.component_id])):
                if quantity <= 0:
                    continue
                taken = min(quantity, wanted)
                arrivals[material.component_id][index] = (expected, quantity - taken)
                wanted -= taken
                date = expected
                if wanted <= 0:
                    break
            if wanted > 0:
                problem.warnings.append(
                    _("Work order %(order)s: %(item)s is short and no expected receipt covers it.")
                    % {"order": orders[key[0]].number, "item": material.component.code}
                )
            elif date is not None:
                at = max(at, problem.minutes(datetime.combine(date, time.min, tzinfo=tz)))
        if at > 0:
            released[key] = at
    return released


def _labour_needs(problem: Problem, op: Operation, pools: dict[str, tuple[str, int]]) -> dict[str, int]:
    """The workers of each skill `op` occupies, checked against the site's pools (keyed by the
    skill's case-folded name, holding the pool's own name and capacity)."""
    if not op.skill.strip() or not op.labour:
        return {}
    skill, capacity = pools.get(op.skill.strip().casefold(), (None, None))
    if capacity is None:
        problem.warnings.append(
            _("Operation %(op)s needs skill %(skill)s, but the site has no labour pool of it.")
            % {"op": str(op), "skill": op.skill}
        )
        return {}
    if op.labour > capacity:
        problem.warnings.append(
            _("Operation %(op)s needs %(needed)s workers of skill %(skill)s; the pool has %(capacity)s.")
            % {"op": str(op), "needed": op.labour, "skill": op.skill, "capacity": capacity}
        )
        return {skill: capacity}
    return {skill: op.labour}


def build_problem(*, site, origin: datetime, horizon_days: int) -> Problem:
    """The engine's model of `site`'s open work from `origin` over `horizon_days`."""
    end = origin + timedelta(days=horizon_days)
    model = Model()
    problem = Problem(model=model, origin=origin)
    operations = list(
        Operation.objects.filter(work_order__site=site, work_order__status__in=SCHEDULED_ORDERS, status__in=OPEN)
        .select_related("work_order__item", "equipment", "work_centre")
        .prefetch_related("eligible_equipment")
        .order_by("work_order__priority", "work_order__due", "work_order__number", "sequence")
    )
    centre_equipment = defaultdict(list)
    for equipment in Equipment.objects.filter(site=site, active=True).select_related("work_centre__calendar", "site"):
        centre_equipment[equipment.work_centre_id].append(equipment)
    cycle = {
        (row.equipment_id, row.item_id): row.seconds for row in IdealCycleTime.objects.filter(equipment__site=site)
    }
    orders = {op.work_order_id: op.work_order for op in operations}
    pools = {
        skill.strip().casefold(): (skill, capacity)
        for skill, capacity in LabourPool.objects.filter(site=site).values_list("skill", "capacity")
    }
    model.labour = [EnginePool(skill=skill, capacity=capacity) for skill, capacity in sorted(pools.values())]
    families = dict(ItemSetupFamily.objects.filter(site=site).values_list("item_id", "family"))
    matrices = defaultdict(dict)
    for centre, before, after, minutes in Changeover.objects.filter(work_centre__site=site).values_list(
        "work_centre_id", "from_family", "to_family", "minutes"
    ):
        matrices[centre][(before, after)] = minutes
    releases = _material_release(problem, site, orders)

    used: dict[int, Equipment] = {}
    running: dict[str, int] = {}  # machine -> minutes its running operation still needs
    by_order = defaultdict(list)
    for op in operations:
        frozen = op.status in FROZEN and op.equipment_id is not None
        if frozen:
            candidates = [op.equipment]
        else:
            candidates = list(op.eligible_equipment.all()) or centre_equipment.get(op.work_centre_id, [])
            candidates = [eq for eq in candidates if eq.active]
        name = f"op{op.pk}"
        durations = {}
        for equipment in candidates:
            used[equipment.pk] = equipment
            seconds = cycle.get((equipment.pk, op.work_order.item_id))
            durations[f"eq{equipment.pk}"] = _duration_minutes(op, seconds, frozen=frozen)
        if not durations:
            problem.warnings.append(
                _("Operation %(op)s has no equipment that can run it at work centre %(wc)s.")
                % {"op": str(op), "wc": op.work_centre.code}
            )
        engine_op = EngineOperation(
            name=name,
            job=op.work_order.number,
            durations=durations,
            labour=_labour_needs(problem, op, pools),
            setup_family=families.get(op.work_order.item_id),
            release=releases.get((op.work_order_id, op.sequence), 0),
            splittable=True,
            fixed=(f"eq{op.equipment_id}", 0) if frozen else None,
        )
        if frozen:
            running[f"eq{op.equipment_id}"] = durations[f"eq{op.equipment_id}"]
        problem.operations[name] = op
        by_order[op.work_order_id].append(engine_op)
    for order_id, engine_ops in by_order.items():
        order = orders[order_id]
        model.add_job(
            Job(name=order.number, due=problem.minutes(order.due), weight=max(1, 10 - min(order.priority, 9))),
            engine_ops,
        )
    for equipment in used.values():
        problem.equipment[f"eq{equipment.pk}"] = equipment
        name = f"eq{equipment.pk}"
        gaps = _gaps(equipment, origin, end)
        if name in running:
            # Work running now goes on now, whatever the calendar says: a gap the plan starts in
            # begins when that operation is done.
            gaps = [(min(b, running[name]) if a == 0 else a, b) for a, b in gaps]
            gaps = [(a, b) for a, b in gaps if b > a]
        model.machines.append(
            Machine(name=name, unavailable=gaps, setup_times=dict(matrices.get(equipment.work_centre_id, {})))
        )
    # Plans reach at least the horizon asked for (the calendars are read that far; past it,
    # time counts as working so that more work than fits still gets a plan, flagged late).
    model.horizon = max(model.computed_horizon(), horizon_days * 24 * 60)
    return problem


def warm_start(problem: Problem, assignments) -> Schedule | None:
    """A schedule from an earlier version's assignments, moved to this origin, for the operations
    both share (a reschedule starts from the current plan and changes little)."""
    known = {f"op{a.operation_id}": a for a in assignments}
    if not problem.operations or any(name not in known for name in problem.operations):
        return None
    moved = {}
    for name in problem.operations:
        a = known[name]
        machine = f"eq{a.equipment_id}"
        engine_op = problem.model.operation(name)
        if machine not in engine_op.durations:
            return None
        start = max(problem.minutes(a.start), 0)
        moved[name] = Assignment(name, machine, start, start + engine_op.durations[machine])
    return Schedule(assignments=moved, source="warm start")
