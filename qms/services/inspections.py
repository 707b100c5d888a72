"""Inspection tasks: opened from goods receipts (incoming), production output (final) and the
in-process frequency of a plan (every N units, every T minutes); results recorded per
characteristic; the inspector's signed decision carried out through the warehouse's lot services.

Locks, in the documented order: the task row (a document header), then what the warehouse
services take (bins, the lot, stock rows). A partial acceptance scraps the rejected quantity
first (bins → lot → stock) and only then releases the lot, so no lock of an earlier kind is
asked for while a later one is held.
"""

import logging
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import DomainError, InvalidTransition, PermissionDenied, ValidationFailed
from core.events import publish
from core.quantities import parse_quantity, plain_quantity
from core.scoping import require_site_access
from core.services.signatures import sign
from core.states import StateMachine, Transition
from mes.models import Operation, OperationStatus
from qms.models import (
    CharacteristicKind,
    InspectionPlan,
    InspectionStatus,
    InspectionTask,
    Measurement,
    MeasurementSource,
    Stage,
)
from qms.services.plans import sample_for_lot
from wms.models import Lot, LotStatus, MoveKind, StockQuant
from wms.services import lots as lot_services
from wms.services.ledger import post_move
from wms.services.numbering import next_document_number

logger = logging.getLogger(__name__)

NUMBER_PREFIX = "QI"
# Gauge values beyond what a measurement column holds (12 digits before the point) are not readings.
MACHINE_VALUE_LIMIT = 1e12
DECIDE_ROLES = ("quality", "admin")

S = InspectionStatus
# The task's life, declared once.
INSPECTION_STATES = StateMachine(
    {
        "start": Transition(frozenset({S.OPEN, S.IN_PROGRESS}), S.IN_PROGRESS, label=gettext_lazy("recorded")),
        "accept": Transition(
            frozenset({S.OPEN, S.IN_PROGRESS}), S.ACCEPTED, "qms.change_inspectiontask", gettext_lazy("accepted")
        ),
        "reject": Transition(
            frozenset({S.OPEN, S.IN_PROGRESS}), S.REJECTED, "qms.change_inspectiontask", gettext_lazy("rejected")
        ),
        "partial": Transition(
            frozenset({S.OPEN, S.IN_PROGRESS}), S.PARTIAL, "qms.change_inspectiontask", gettext_lazy("decided")
        ),
        "cancel": Transition(
            frozenset({S.OPEN, S.IN_PROGRESS}), S.CANCELLED, "qms.change_inspectiontask", gettext_lazy("cancelled")
        ),
    },
    refusal=gettext_noop("An inspection that is %(status)s cannot be %(action)s."),
)
DECISIONS = ("accept", "reject", "partial")


class SampleComplete(DomainError):
    code = "sample_complete"
    default_message = gettext_lazy("The sample of this characteristic is already complete.")


# --- opening tasks ------------------------------------------------------------------------------


def _lot_size(quantity: Decimal) -> int:
    """Units in a lot for the sampling tables: whole units, a fraction counting as one."""
    return max(1, math.ceil(quantity))


def _lot_on_hand(lot: Lot) -> Decimal:
    return StockQuant.objects.filter(lot=lot).aggregate(total=Sum("quantity"))["total"] or Decimal(0)


def _active_plans(item, stage: str):
    return InspectionPlan.objects.filter(item=item, stage=stage, active=True).order_by("pk")


def output_is_inspected(operation_id: int) -> bool:
    """Whether the item an operation makes has an active final or in-process plan: one indexed
    look-up, so a production report of an item quality does not inspect costs nothing more.
    Every production report asks, so the statement is written out rather than compiled."""
    with connection.cursor() as cursor:
        cursor.execute(_OUTPUT_INSPECTED_SQL, [operation_id, Stage.FINAL, Stage.IN_PROCESS])
        return cursor.fetchone() is not None


_OUTPUT_INSPECTED_SQL = (
    "SELECT 1 FROM mes_operation o JOIN mes_workorder w ON w.id = o.work_order_id"
    " JOIN qms_inspectionplan p ON p.item_id = w.item_id"
    " WHERE o.id = %s AND p.active AND p.stage IN (%s, %s) LIMIT 1"
)


def _create_once(**fields) -> InspectionTask | None:
    """Insert a task unless its lot/plan or operation/plan/trigger already has one (None then).
    The look-up first spares a document number; the unique constraints decide a race."""
    if fields.get("lot") is not None:
        key = {"lot": fields["lot"], "plan": fields["plan"]}
    else:
        key = {"operation": fields["operation"], "plan": fields["plan"], "trigger": fields["trigger"]}
    if InspectionTask.objects.filter(**key).exists():
        return None
    task = InspectionTask(**fields)
    task.number = next_document_number(
        site=task.site, prefix=NUMBER_PREFIX, taken=lambda n: InspectionTask.objects.filter(number=n).exists()
    )
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        return None
    publish(
        "qms.inspection.opened",
        {
            "task": task.pk,
            "number": task.number,
            "stage": task.stage,
            "item": task.item.code,
            "lot": task.lot.code if task.lot else None,
            "equipment": task.equipment.code if task.equipment else None,
            "sample_size": task.sample_size,
        },
        site=task.site,
    )
    return task


def _sample_fields(plan: InspectionPlan, lot_size: int) -> dict:
    sample = sample_for_lot(plan=plan, lot_size=lot_size)
    return {
        "sample_size": sample.sample_size,
        "accept_number": sample.accept,
        "reject_number": sample.reject,
        "code_letter": sample.code_letter,
    }


def open_lot_inspections(*, lot: Lot, stage: str) -> list[InspectionTask]:
    """Open one task per active plan of the lot's item at `stage` (incoming or final); a lot
    already under a plan keeps its task (a second receipt into an open lot re-sizes its sample)."""
    plans = list(_active_plans(lot.item, stage))
    if not plans:
        return []
    quantity = _lot_on_hand(lot)
    made = []
    for plan in plans:
        fields = _sample_fields(plan, _lot_size(quantity))
        task = _create_once(
            site=lot.site, plan=plan, stage=stage, item=lot.item, lot=lot, lot_quantity=quantity, **fields
        )
        if task is not None:
            made.append(task)
        else:
            InspectionTask.objects.filter(lot=lot, plan=plan, status=S.OPEN).update(lot_quantity=quantity, **fields)
    return made


def open_final_inspections(*, lot: Lot, user) -> list[InspectionTask]:
    """Production output of an item with an active final plan: the lot goes to quarantine and a
    final inspection task is opened for it."""
    if not _active_plans(lot.item, Stage.FINAL).exists():
        return []
    lot_services.change_lot_status(
        lot=lot, status=LotStatus.QUARANTINE, user=user, reason=_("awaiting final inspection")
    )
    return open_lot_inspections(lot=lot, stage=Stage.FINAL)


def _in_process_fields(plan: InspectionPlan, operation) -> dict:
    lot_size = plan.every_units or _lot_size(operation.quantity)
    return {
        "site": operation.work_order.site,
        "plan": plan,
        "stage": Stage.IN_PROCESS,
        "item": operation.work_order.item,
        "operation": operation,
        "work_order": operation.work_order,
        "equipment": operation.equipment,
        **_sample_fields(plan, lot_size),
    }


def open_unit_inspections(*, operation, good_before: Decimal, good_after: Decimal) -> list[InspectionTask]:
    """Every N units: a production report that carries the operation's good count past a
    multiple of N opens a task for that multiple (once, also when reports race)."""
    made = []
    for plan in _active_plans(operation.work_order.item, Stage.IN_PROCESS).filter(every_units__isnull=False):
        reached = int(good_after // plan.every_units)
        if reached > int(good_before // plan.every_units):
            task = _create_once(trigger=f"units:{reached}", **_in_process_fields(plan, operation))
            if task is not None:
                made.append(task)
    return made


def open_timed_inspections(*, site, now=None) -> list[InspectionTask]:
    """Every T minutes: each running operation at `site` with equipment gets a task per period of
    T minutes since it started (once per period; a missed beat opens only the latest)."""
    now = now or timezone.now()
    plans = list(
        InspectionPlan.objects.filter(stage=Stage.IN_PROCESS, active=True, every_minutes__isnull=False).order_by("pk")
    )
    if not plans:
        return []
    by_item: dict[int, list[InspectionPlan]] = {}
    for plan in plans:
        by_item.setdefault(plan.item_id, []).append(plan)
    operations = Operation.objects.filter(
        status=OperationStatus.RUNNING,
        equipment__isnull=False,
        started_at__isnull=False,
        work_order__site=site,
        work_order__item_id__in=list(by_item),
    ).select_related("work_order__site", "work_order__item", "equipment")
    made = []
    for operation in operations:
        for plan in by_item[operation.work_order.item_id]:
            period = int((now - operation.started_at).total_seconds() // (plan.every_minutes * 60))
            if period < 1:
                continue
            with transaction.atomic():
                task = _create_once(trigger=f"time:{period}", **_in_process_fields(plan, operation))
            if task is not None:
                made.append(task)
    return made


# --- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Per characteristic of a task: how much of the sample is recorded and what was found."""

    characteristic_id: int
    recorded: int
    nonconforming: int


def progress(task: InspectionTask) -> dict[int, Progress]:
    """characteristic id -> recorded units and nonconforming units (variables: values out of
    specification; attributes: the counts)."""
    rows = (
        Measurement.objects.filter(inspection_task=task)
        .values("characteristic_id")
        .annotate(values=Count("value"), sizes=Sum("size"), counts=Sum("count"), oos=Count("id", filter=_oos()))
        .order_by()
    )
    result = {}
    for row in rows:
        recorded = row["values"] + (row["sizes"] or 0)
        nonconforming = row["oos"] if row["values"] else (row["counts"] or 0)
        result[row["characteristic_id"]] = Progress(row["characteristic_id"], recorded, nonconforming)
    return result


def _oos():
    return Q(out_of_spec=True, value__isnull=False)


def out_of_spec(characteristic, value: Decimal) -> bool:
    return (characteristic.lsl is not None and value < characteristic.lsl) or (
        characteristic.usl is not None and value > characteristic.usl
    )


def parse_value(text, *, characteristic, field: str) -> Decimal:
    """A measured value as typed: plain decimal notation with `.` only (sign allowed), within the
    column's digits; a comma, a unit or anything else is refused naming the characteristic."""
    try:
        if isinstance(text, str) and text.strip().startswith("-"):
            value = -parse_quantity(text.strip()[1:], field=field, allow_zero=True)
        else:
            value = parse_quantity(text, field=field, allow_zero=True)
    except ValidationFailed as error:
        shown = str(text)[:30]
        if error.code == "invalid_quantity":
            message = _(
                "%(characteristic)s: “%(value)s” is not a number; type digits with a point as the "
                "decimal separator and no unit (%(unit)s)."
            ) % {"characteristic": characteristic.code, "value": shown, "unit": _unit_code(characteristic)}
        else:
            message = f"{characteristic.code}: {error.message}"
        raise ValidationFailed(message, field=field, code=error.code) from error
    return value


def _unit_code(characteristic) -> str:
    return characteristic.unit.code if characteristic.unit_id else ""


def _count(text, *, characteristic, field: str, what: str) -> int:
    try:
        value = parse_quantity(text, field=field, allow_zero=True)
    except ValidationFailed as error:
        raise ValidationFailed(
            _("%(characteristic)s: the %(what)s is a whole number.")
            % {"characteristic": characteristic.code, "what": what},
            field=field,
            code=error.code,
        ) from error
    if value != value.to_integral_value():
        raise ValidationFailed(
            _("%(characteristic)s: the %(what)s is a whole number.")
            % {"characteristic": characteristic.code, "what": what},
            field=field,
            code="not_whole",
        )
    return int(value)


def _lock_task(task: InspectionTask) -> InspectionTask:
    return (
        InspectionTask.objects.select_for_update(of=("self",))
        .select_related("site", "item", "lot", "plan", "equipment", "work_order")
        .get(pk=task.pk)
    )


def record_results(
    *, task: InspectionTask, results: list[dict], user, source: str = MeasurementSource.MANUAL, measured_at=None
) -> list[Measurement]:
    """Record one submission of results: `[{"characteristic": code, "values": ["74.01", ...]}]`
    for measured characteristics, `{"characteristic": code, "count": n, "size": m,
    "defect_type": "..."}` for pass/fail ones (size defaults to the rest of the sample).

    All or nothing: one bad value, an unknown characteristic or more units than the sample
    leaves refuses the whole submission, naming the field (`results.<i>.values.<j>`)."""
    require_site_access(user, task.site_id, message=_("Unknown inspection task."))
    if not isinstance(results, list) or not results:
        raise ValidationFailed(_("Enter at least one result."), field="results")
    with transaction.atomic():
        task = _lock_task(task)
        INSPECTION_STATES.check(task, "start", user)
        characteristics = {c.code: c for c in task.plan.characteristics.filter(active=True).select_related("unit")}
        done = progress(task)
        now = measured_at or timezone.now()
        rows: list[Measurement] = []
        seen: set[str] = set()
        for i, entry in enumerate(results):
            rows.extend(_rows_for(task, entry, i, characteristics, done, seen, user, source, now))
        Measurement.objects.bulk_create(rows)
        INSPECTION_STATES.apply(task, "start", user)
        publish(
            "qms.inspection.results_recorded",
            {"task": task.pk, "number": task.number, "measurements": len(rows), "source": source},
            site=task.site,
        )
    return rows


def _rows_for(task, entry, i, characteristics, done, seen, user, source, now) -> list[Measurement]:
    prefix = f"results.{i}"
    if not isinstance(entry, dict):
        raise ValidationFailed(_("Each result names a characteristic and its values."), field=prefix)
    code = str(entry.get("characteristic") or "").strip()
    characteristic = characteristics.get(code)
    if characteristic is None:
        raise ValidationFailed(
            _("“%(code)s” is not a characteristic of this inspection.") % {"code": code[:40]},
            field=f"{prefix}.characteristic",
        )
    if code in seen:
        raise ValidationFailed(
            _("%(characteristic)s is given twice.") % {"characteristic": code}, field=f"{prefix}.characteristic"
        )
    seen.add(code)
    recorded = done[characteristic.pk].recorded if characteristic.pk in done else 0
    left = task.sample_size - recorded
    common = {
        "characteristic": characteristic,
        "site": task.site,
        "measured_at": now,
        "recorded_by": user,
        "source": source,
        "lot": task.lot,
        "equipment": task.equipment,
        "work_order": task.work_order,
        "inspection_task": task,
    }
    if characteristic.kind == CharacteristicKind.VARIABLE:
        values = entry.get("values")
        if not isinstance(values, list) or not values:
            raise ValidationFailed(
                _("%(characteristic)s: enter the measured values.") % {"characteristic": code}, field=f"{prefix}.values"
            )
        parsed = [
            parse_value(text, characteristic=characteristic, field=f"{prefix}.values.{j}")
            for j, text in enumerate(values)
        ]
        _check_room(characteristic, len(parsed), left, task, f"{prefix}.values")
        size = characteristic.subgroup_size
        return [
            Measurement(
                value=value,
                out_of_spec=out_of_spec(characteristic, value),
                subgroup=f"{task.number}/{(recorded + j) // size + 1}",
                **common,
            )
            for j, value in enumerate(parsed)
        ]
    count = _count(entry.get("count"), characteristic=characteristic, field=f"{prefix}.count", what=_("count"))
    raw_size = entry.get("size")
    size = (
        left
        if raw_size in (None, "")
        else _count(raw_size, characteristic=characteristic, field=f"{prefix}.size", what=_("sample size"))
    )
    if size < 1:
        raise ValidationFailed(
            _("%(characteristic)s: the sample size is at least 1.") % {"characteristic": code}, field=f"{prefix}.size"
        )
    _check_room(characteristic, size, left, task, f"{prefix}.size")
    if count > size:
        raise ValidationFailed(
            _("%(characteristic)s: more nonconforming units (%(count)s) than inspected (%(size)s).")
            % {"characteristic": code, "count": count, "size": size},
            field=f"{prefix}.count",
        )
    defect = str(entry.get("defect_type") or "").strip()
    if defect and defect not in characteristic.defect_types:
        raise ValidationFailed(
            _("%(characteristic)s: “%(defect)s” is not one of its defect types.")
            % {"characteristic": code, "defect": defect[:40]},
            field=f"{prefix}.defect_type",
        )
    return [
        Measurement(count=count, size=size, defect_type=defect, out_of_spec=count > 0, subgroup=task.number, **common)
    ]


def _check_room(characteristic, wanted: int, left: int, task, field: str) -> None:
    if left <= 0:
        raise SampleComplete(
            _("%(characteristic)s: all %(n)s units of the sample are already recorded.")
            % {"characteristic": characteristic.code, "n": task.sample_size}
        )
    if wanted > left:
        raise ValidationFailed(
            _("%(characteristic)s: the sample is %(n)s units and %(left)s are still to record, not %(wanted)s.")
            % {"characteristic": characteristic.code, "n": task.sample_size, "left": left, "wanted": wanted},
            field=field,
            code="over_sample",
        )


def record_machine_values(records) -> int:
    """Gauge values arriving as telemetry tags (`mes.telemetry` batches): each value of a tag
    that a characteristic of an open in-process task on that equipment names becomes a
    measurement (source machine), up to the task's sample. Returns how many were written."""
    equipment_ids = {record["equipment_id"] for record in records}
    tasks = list(
        InspectionTask.objects.filter(
            stage=Stage.IN_PROCESS, status__in=(S.OPEN, S.IN_PROGRESS), equipment_id__in=equipment_ids
        )
        .filter(plan__characteristics__tag__gt="")
        .distinct()
        .order_by("pk")
    )
    written = 0
    for task in tasks:
        tagged = {
            c.tag: c
            for c in task.plan.characteristics.filter(active=True, kind=CharacteristicKind.VARIABLE).exclude(tag="")
        }
        values: dict[int, list[str]] = {}
        last = None
        for record in records:
            if record["equipment_id"] != task.equipment_id:
                continue
            for tag, value in record["values"].items():
                if tag in tagged and math.isfinite(value) and abs(value) < MACHINE_VALUE_LIMIT:
                    values.setdefault(tagged[tag].pk, []).append(f"{value:.6f}")
                    last = record["ts"]
        done = progress(task)
        results = []
        for characteristic in tagged.values():
            left = task.sample_size - (done[characteristic.pk].recorded if characteristic.pk in done else 0)
            if values.get(characteristic.pk) and left > 0:
                results.append({"characteristic": characteristic.code, "values": values[characteristic.pk][:left]})
        if results:
            written += _record_machine_results(task, results, last)
    return written


def _record_machine_results(task, results, measured_at) -> int:
    """One task's gauge values, in a savepoint: a refusal (the sample completed by hand meanwhile,
    the task decided) is logged and skips these values; it never fails the ingestion batch."""
    try:
        with transaction.atomic():
            return len(
                record_results(
                    task=task, results=results, user=None, source=MeasurementSource.MACHINE, measured_at=measured_at
                )
            )
    except DomainError as refusal:
        logger.warning("gauge values for inspection %s not recorded: %s", task.number, refusal.message)
        return 0


# --- deciding -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    decision: str | None  # "accept", "reject" or None while the sample is incomplete
    nonconforming: int
    complete: bool


def suggest_decision(task: InspectionTask) -> Suggestion:
    """What the sampling plan says: accept with at most Ac nonconforming units, reject from Re.
    Nonconforming units are added over the characteristics (a unit failing two counts twice:
    the cautious reading when results are not kept per unit)."""
    characteristics = list(task.plan.characteristics.filter(active=True).values_list("pk", flat=True))
    done = progress(task)
    nonconforming = sum(p.nonconforming for p in done.values())
    complete = bool(characteristics) and all(
        c in done and done[c].recorded >= task.sample_size for c in characteristics
    )
    if nonconforming >= task.reject_number:
        return Suggestion("reject", nonconforming, complete)
    if complete:
        return Suggestion("accept" if nonconforming <= task.accept_number else "reject", nonconforming, complete)
    return Suggestion(None, nonconforming, complete)


def decide_inspection(
    *, task: InspectionTask, decision: str, user, password: str, reason: str = "", rejected_quantity=None
) -> InspectionTask:
    """The inspector's signed decision. Accept releases the lot (`release_lot`, signed); reject
    rejects it (`reject_lot`); partial scraps `rejected_quantity` out of the lot and releases the
    rest. Accepting needs the whole sample recorded; rejecting is allowed as soon as the results
    reach the reject number, or whenever the inspector says why."""
    if decision not in DECISIONS:
        raise ValidationFailed(_("Choose accept, reject or partial."), field="decision", code="invalid_choice")
    require_site_access(user, task.site_id, message=_("Unknown inspection task."))
    if not user.has_role(*DECIDE_ROLES):
        raise PermissionDenied(_("Only quality may decide an inspection."), code="quality_decision")
    reason = (reason or "").strip()
    with transaction.atomic():
        task = _lock_task(task)
        INSPECTION_STATES.check(task, decision, user)
        suggestion = suggest_decision(task)
        if decision in ("accept", "partial") and not suggestion.complete:
            raise ValidationFailed(
                _("Record the whole sample of every characteristic before accepting."),
                field="decision",
                code="sample_incomplete",
            )
        if decision == "partial" and task.lot is None:
            raise ValidationFailed(_("Only a lot can be partly accepted."), field="decision")
        if decision != suggestion.decision and not reason:
            raise ValidationFailed(
                _("The sampling plan suggests otherwise: say why."), field="reason", code="reason_required"
            )
        text = reason or _("inspection %(number)s %(decision)s") % {"number": task.number, "decision": decision}
        accepted, rejected = _carry_out(task, decision, user, password, text, rejected_quantity)
        INSPECTION_STATES.apply(
            task,
            decision,
            user,
            also={
                "decided_by": user,
                "decided_at": timezone.now(),
                "decision_reason": text[:300],
                "accepted_quantity": accepted,
                "rejected_quantity": rejected,
            },
        )
        meaning = "rejected" if decision == "reject" else "released"
        sign(user=user, password=password or "", meaning=meaning, record=task, reason=text)
        publish(
            "qms.inspection.decided",
            {
                "task": task.pk,
                "number": task.number,
                "decision": decision,
                "lot": task.lot.code if task.lot else None,
                "item": task.item.code,
                "accepted": plain_quantity(accepted) if accepted is not None else None,
                "rejected": plain_quantity(rejected) if rejected is not None else None,
            },
            site=task.site,
        )
    return task


def _carry_out(task, decision, user, password, reason, rejected_quantity):
    """The decision through the warehouse's services; returns (accepted, rejected) quantities."""
    lot = task.lot
    if lot is None:
        return None, None
    on_hand = _lot_on_hand(lot)
    if decision == "accept":
        lot_services.release_lot(lot=lot, user=user, password=password, reason=reason)
        return on_hand, Decimal(0)
    if decision == "reject":
        lot_services.reject_lot(lot=lot, user=user, reason=reason)
        return Decimal(0), on_hand
    if rejected_quantity in (None, ""):
        raise ValidationFailed(_("Enter the rejected quantity."), field="rejected_quantity")
    rejected = parse_quantity(rejected_quantity, field="rejected_quantity", unit=task.item.base_unit)
    if rejected >= on_hand:
        raise ValidationFailed(
            _("The lot holds %(on_hand)s %(unit)s: reject it whole, or reject less than that.")
            % {"on_hand": plain_quantity(on_hand), "unit": task.item.base_unit.code},
            field="rejected_quantity",
        )
    _scrap(lot, rejected, user, task)
    lot_services.release_lot(lot=lot, user=user, password=password, reason=reason)
    return on_hand - rejected, rejected


def _scrap(lot: Lot, quantity: Decimal, user, task) -> None:
    """Scrap `quantity` of the lot, from its bins in bin order, through the stock ledger."""
    left = quantity
    for quant in StockQuant.objects.filter(lot=lot, quantity__gt=0).select_related("bin").order_by("bin_id"):
        take = min(left, quant.quantity)
        post_move(
            kind=MoveKind.SCRAP,
            item=lot.item,
            lot=lot,
            quantity=take,
            user=user,
            from_bin=quant.bin,
            reference=task.number,
            reason=_("rejected at inspection"),
        )
        left -= take
        if left <= 0:
            return
    raise InvalidTransition(_("The lot no longer holds the rejected quantity."), code="insufficient_stock")


def cancel_inspection(*, task: InspectionTask, user, reason: str) -> InspectionTask:
    """Cancel an open task (a plan withdrawn, a lot returned unopened); the lot stays as it is.
    Quality's call, like a decision."""
    require_site_access(user, task.site_id, message=_("Unknown inspection task."))
    if not user.has_role(*DECIDE_ROLES):
        raise PermissionDenied(_("Only quality may cancel an inspection."), code="quality_decision")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the inspection is cancelled."), field="reason", code="reason_required")
    with transaction.atomic():
        task = _lock_task(task)
        INSPECTION_STATES.apply(
            task,
            "cancel",
            user,
            also={"decision_reason": reason[:300], "decided_by": user, "decided_at": timezone.now()},
        )
        publish("qms.inspection.cancelled", {"task": task.pk, "number": task.number}, site=task.site)
    return task
