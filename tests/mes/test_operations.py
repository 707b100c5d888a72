from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import InvalidTransition, ValidationFailed
from mes.models import EquipmentState, EquipmentStateRecord, Operation, OperationStatus
from mes.services import operations
from mes.services.equipment import set_equipment_state
from mes.services.operations import TRANSITIONS
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db

ACTIONS = {
    "setup": lambda op, p: operations.setup_operation(operation=op, user=p.operator, equipment=p.lathe1),
    "start": lambda op, p: operations.start_operation(operation=op, user=p.operator, equipment=p.lathe1),
    "pause": lambda op, p: operations.pause_operation(operation=op, user=p.operator, reason="JAM"),
    "resume": lambda op, p: operations.resume_operation(operation=op, user=p.operator),
    "complete": lambda op, p: operations.complete_operation(operation=op, user=p.operator),
}


@pytest.fixture
def plant():
    return production_plant()


@pytest.fixture
def order(plant):
    return released_order(plant)


def test_setup_start_pause_resume_complete_keeps_the_timer_exact(plant, order):
    op = order.operations.get(sequence=10)
    op = operations.setup_operation(operation=op, user=plant.operator, equipment=plant.lathe1)
    plant.lathe1.refresh_from_db()
    assert op.status == OperationStatus.SETUP and plant.lathe1.state == EquipmentState.SETUP

    op = operations.start_operation(operation=op, user=plant.operator)
    assert op.equipment == plant.lathe1 and op.status == OperationStatus.RUNNING
    assert order.operations.get(sequence=20).status == OperationStatus.READY
    order.refresh_from_db()
    assert order.status == "in_progress"

    op = operations.pause_operation(operation=op, user=plant.operator, reason="JAM")
    plant.lathe1.refresh_from_db()
    assert plant.lathe1.state == EquipmentState.DOWN  # an unplanned reason puts the machine down
    # Pretend the run began 100 s ago and the pause 40 s ago.
    now = timezone.now()
    Operation.objects.filter(pk=op.pk).update(
        started_at=now - timedelta(seconds=100), paused_since=now - timedelta(seconds=40)
    )
    op = operations.resume_operation(operation=op, user=plant.operator)
    op = operations.complete_operation(operation=op, user=plant.operator)
    assert op.status == OperationStatus.DONE
    assert 59 <= op.run_seconds() <= 62
    assert op.pauses.get().reason == plant.jam
    states = list(EquipmentStateRecord.objects.filter(equipment=plant.lathe1).values_list("state", flat=True))
    assert states == ["setup", "running", "down", "running", "idle"]


def test_starting_before_the_predecessor_has_started_is_refused(plant, order):
    with pytest.raises(InvalidTransition) as refused:
        operations.start_operation(
            operation=order.operations.get(sequence=20), user=plant.operator, equipment=plant.press
        )
    assert "operation 10" in str(refused.value.message)


def test_equipment_of_another_work_centre_is_refused(plant, order):
    with pytest.raises(InvalidTransition):
        operations.start_operation(
            operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.press
        )
    assert order.operations.get(sequence=10).status == OperationStatus.READY


def test_equipment_that_is_down_or_busy_is_refused(plant, order):
    other = released_order(plant)
    operations.start_operation(operation=other.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1)
    with pytest.raises(InvalidTransition, match="busy"):
        operations.start_operation(
            operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
        )
    set_equipment_state(equipment=plant.lathe2, state=EquipmentState.DOWN)
    with pytest.raises(InvalidTransition, match="down"):
        operations.start_operation(
            operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe2
        )


def test_two_machines_need_a_choice(plant, order):
    with pytest.raises(ValidationFailed) as refused:
        operations.start_operation(operation=order.operations.get(sequence=10), user=plant.operator)
    assert refused.value.field == "equipment"


def test_a_pause_needs_a_reason(plant, order):
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    with pytest.raises(ValidationFailed):
        operations.pause_operation(operation=op, user=plant.operator, reason=" ")


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for a, t in TRANSITIONS.items() if a in ACTIONS for s in OperationStatus.values if s not in t.sources],
)
def test_every_illegal_operation_transition_is_refused_and_changes_nothing(plant, order, status, action):
    op = order.operations.get(sequence=10)
    Operation.objects.filter(pk=op.pk).update(status=status, equipment=plant.lathe1)
    before = Operation.objects.filter(pk=op.pk).values().get()
    with pytest.raises(InvalidTransition):
        ACTIONS[action](op, plant)
    assert Operation.objects.filter(pk=op.pk).values().get() == before
