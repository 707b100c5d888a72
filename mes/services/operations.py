"""Operations of a work order: pending → ready → setup → running ⇄ paused → done, as
OPERATION_STATES declares. An operation becomes ready when its predecessor starts; it is set up
and run on equipment of its own work centre, one job per equipment at a time.

Locks: work order, then operation, then equipment (then the ledger's own order), in every
service of this app, so two changes to one order never deadlock.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import InvalidTransition, ValidationFailed
from core.events import publish
from core.scoping import require_site_access
from core.states import StateMachine, Transition
from mes.models import (
    UNAVAILABLE_STATES,
    DowntimeReason,
    Equipment,
    EquipmentState,
    Operation,
    OperationPause,
    OperationStatus,
)
from mes.services.equipment import refuse_quality_hold, set_equipment_state
from mes.services.work_orders import ACTIVE_OPERATION, check_workable, finish_if_done, lock_work_order, mark_started

OS = OperationStatus
OPERATION_STATES = StateMachine(
    {
        "ready": Transition(frozenset({OS.PENDING, OS.READY}), OS.READY, label=gettext_lazy("made ready")),
        "setup": Transition(frozenset({OS.READY}), OS.SETUP, label=gettext_lazy("set up")),
        "start": Transition(frozenset({OS.READY, OS.SETUP}), OS.RUNNING, label=gettext_lazy("started")),
        "pause": Transition(frozenset({OS.RUNNING}), OS.PAUSED, label=gettext_lazy("paused")),
        "resume": Transition(frozenset({OS.PAUSED}), OS.RUNNING, label=gettext_lazy("resumed")),
        "complete": Transition(frozenset({OS.RUNNING, OS.PAUSED}), OS.DONE, label=gettext_lazy("completed")),
    },
    refusal=gettext_noop("An operation that is %(status)s cannot be %(action)s."),
)
TRANSITIONS = OPERATION_STATES.transitions
STARTABLE = OPERATION_STATES.sources("start")
REPORTABLE = frozenset({OS.RUNNING})


def lock_operation(operation: Operation, *, with_later: bool = False):
    """Lock the operation's work order, then the operation; returns both, fresh. `with_later`
    also reads, in the same statement, whether the order has operations after it (`has_later`)."""
    order = lock_work_order(operation.work_order)
    rows = Operation.objects.select_for_update(of=("self",)).select_related("work_centre", "equipment")
    if with_later:
        later = Operation.objects.filter(work_order_id=OuterRef("work_order_id"), sequence__gt=OuterRef("sequence"))
        rows = rows.annotate(has_later=Exists(later))
    operation = rows.get(pk=operation.pk)
    operation.work_order = order
    return order, operation


def _predecessor(operation: Operation) -> Operation | None:
    return (
        Operation.objects.filter(work_order_id=operation.work_order_id, sequence__lt=operation.sequence)
        .order_by("-sequence")
        .first()
    )


def _check_status(operation: Operation, name: str) -> None:
    if operation.status == OS.PENDING and name in ("setup", "start"):
        previous = _predecessor(operation)
        if previous is not None and previous.started_at is None:
            raise InvalidTransition(
                _("Operation %(seq)s cannot start before operation %(prev)s has started.")
                % {"seq": operation.sequence, "prev": previous.sequence}
            )
    if operation.status not in TRANSITIONS[name].sources:
        # The table's own refusal ("An operation that is done cannot be completed.").
        OPERATION_STATES.apply(operation, name, None)


def _choose_equipment(operation: Operation, equipment: Equipment | None) -> Equipment:
    centre = operation.work_centre
    if equipment is None:
        equipment = operation.equipment
    if equipment is None:
        candidates = list(operation.eligible_equipment.all()) or list(centre.equipment.filter(active=True))
        if len(candidates) != 1:
            raise ValidationFailed(
                _("Choose the equipment of %(wc)s to run on.") % {"wc": centre.code}, field="equipment", code="required"
            )
        equipment = candidates[0]
    if equipment.work_centre_id != centre.pk:
        raise InvalidTransition(
            _("%(eq)s belongs to another work centre; operation %(seq)s runs on %(wc)s.")
            % {"eq": equipment.code, "seq": operation.sequence, "wc": centre.code}
        )
    eligible = set(operation.eligible_equipment.values_list("pk", flat=True))
    if eligible and equipment.pk not in eligible:
        raise InvalidTransition(
            _("%(eq)s is not eligible for operation %(seq)s.") % {"eq": equipment.code, "seq": operation.sequence}
        )
    if operation.equipment_id and operation.status != OS.READY and operation.equipment_id != equipment.pk:
        raise InvalidTransition(
            _("Operation %(seq)s is already on %(eq)s.") % {"seq": operation.sequence, "eq": operation.equipment.code}
        )
    return equipment


def _claim_equipment(operation: Operation, equipment: Equipment) -> Equipment:
    """Lock the equipment and refuse it when it is down or busy with another job."""
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    refuse_quality_hold(equipment)
    if equipment.state in UNAVAILABLE_STATES:
        raise InvalidTransition(
            _("%(eq)s is %(state)s.") % {"eq": equipment.code, "state": equipment.get_state_display().lower()}
        )
    busy = (
        Operation.objects.filter(equipment=equipment, status__in=ACTIVE_OPERATION)
        .exclude(pk=operation.pk)
        .select_related("work_order")
        .first()
    )
    if busy is not None:
        raise InvalidTransition(
            _("%(eq)s is busy with %(op)s.") % {"eq": equipment.code, "op": f"{busy.work_order.number}/{busy.sequence}"}
        )
    return equipment


def _payload(operation: Operation, **extra) -> dict:
    return {
        "operation": operation.pk,
        "work_order": operation.work_order.number,
        "sequence": operation.sequence,
        "work_centre": operation.work_centre.code,
        "equipment": operation.equipment.code if operation.equipment else None,
        "status": operation.status,
        "quantity": str(operation.quantity),
        "good": str(operation.good),
        "scrap": str(operation.scrap),
        **extra,
    }


def _begin(operation: Operation, *, user, equipment, name: str, event: str) -> Operation:
    require_site_access(user, operation.work_order.site_id)
    with transaction.atomic():
        order, operation = lock_operation(operation)
        check_workable(order)
        _check_status(operation, name)
        equipment = _claim_equipment(operation, _choose_equipment(operation, equipment))
        now = timezone.now()
        also = {"equipment": equipment}
        if name == "setup":
            also["setup_started_at"] = now
        elif operation.started_at is None:
            also |= {"started_at": now, "started_by": user}
        OPERATION_STATES.apply(operation, name, user, also=also)
        if name == "start":
            following = (
                Operation.objects.select_for_update()
                .filter(work_order=order, sequence__gt=operation.sequence, status=OS.PENDING)
                .order_by("sequence")
                .first()
            )
            if following is not None:
                OPERATION_STATES.apply(following, "ready", user)
        mark_started(order, user)
        state = EquipmentState.SETUP if name == "setup" else EquipmentState.RUNNING
        set_equipment_state(equipment=equipment, state=state, at=now, operation=operation)
        publish(event, _payload(operation), site=order.site)
    return operation


def setup_operation(*, operation: Operation, user, equipment: Equipment | None = None) -> Operation:
    """Begin setting up a ready operation on `equipment` of its work centre."""
    return _begin(operation, user=user, equipment=equipment, name="setup", event="mes.operation.setup")


def start_operation(*, operation: Operation, user, equipment: Equipment | None = None) -> Operation:
    """Start a ready (or set-up) operation on `equipment` of its work centre; refused before its
    predecessor has started, on equipment of another work centre, down or busy."""
    return _begin(operation, user=user, equipment=equipment, name="start", event="mes.operation.started")


def _downtime_reason(reason: str) -> DowntimeReason | None:
    return DowntimeReason.objects.filter(code=reason.strip()).first() if reason else None


def pause_operation(*, operation: Operation, user, reason: str) -> Operation:
    """Pause a running operation, saying why (a downtime reason code or words). An unplanned
    downtime reason puts the equipment down, anything else idle."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the operation pauses."), field="reason", code="required")
    require_site_access(user, operation.work_order.site_id)
    with transaction.atomic():
        order, operation = lock_operation(operation)
        check_workable(order)
        _check_status(operation, "pause")
        now = timezone.now()
        known = _downtime_reason(reason)
        OPERATION_STATES.apply(operation, "pause", user, also={"paused_since": now})
        OperationPause.objects.create(operation=operation, started_at=now, reason=known, note=reason[:300], user=user)
        if operation.equipment is not None:
            state = EquipmentState.DOWN if known is not None and not known.planned else EquipmentState.IDLE
            set_equipment_state(
                equipment=operation.equipment, state=state, at=now, reason=known, note=reason, operation=operation
            )
        publish("mes.operation.paused", _payload(operation, reason=reason), site=order.site)
    return operation


def _end_pause(operation: Operation, now) -> dict:
    if operation.paused_since is None:
        return {}
    OperationPause.objects.filter(operation=operation, ended_at__isnull=True).update(ended_at=now)
    paused = Decimal(str(round((now - operation.paused_since).total_seconds(), 3)))
    return {"paused_since": None, "paused_seconds": operation.paused_seconds + paused}


def resume_operation(*, operation: Operation, user) -> Operation:
    """Resume a paused operation; the pause is left out of its run time."""
    require_site_access(user, operation.work_order.site_id)
    with transaction.atomic():
        order, operation = lock_operation(operation)
        check_workable(order)
        _check_status(operation, "resume")
        if operation.equipment is not None:
            refuse_quality_hold(operation.equipment)
        now = timezone.now()
        OPERATION_STATES.apply(operation, "resume", user, also=_end_pause(operation, now))
        if operation.equipment is not None:
            set_equipment_state(
                equipment=operation.equipment, state=EquipmentState.RUNNING, at=now, operation=operation
            )
        publish("mes.operation.resumed", _payload(operation), site=order.site)
    return operation


def complete_operation(*, operation: Operation, user) -> Operation:
    """Finish a running or paused operation. Two operators completing it at once: one does, the
    other is told it is already done. The order completes with its last operation."""
    require_site_access(user, operation.work_order.site_id)
    with transaction.atomic():
        order, operation = lock_operation(operation)
        check_workable(order)
        _check_status(operation, "complete")
        now = timezone.now()
        also = _end_pause(operation, now) | {"finished_at": now, "finished_by": user}
        OPERATION_STATES.apply(operation, "complete", user, also=also)
        if operation.equipment is not None:
            set_equipment_state(equipment=operation.equipment, state=EquipmentState.IDLE, at=now)
        publish("mes.operation.completed", _payload(operation, run_seconds=operation.run_seconds(now)), site=order.site)
        finish_if_done(order, user)
    return operation
