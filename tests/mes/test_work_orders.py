from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import InvalidTransition, ValidationFailed
from mes.models import OperationStatus, WorkOrder, WorkOrderStatus
from mes.services import operations, work_orders
from mes.services.work_orders import TRANSITIONS
from tests.factories import ItemFactory
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db

ACTIONS = {
    "release": work_orders.release_work_order,
    "hold": work_orders.hold_work_order,
    "resume": work_orders.resume_work_order,
    "cancel": work_orders.cancel_work_order,
    "complete": work_orders.complete_work_order,
    "close": work_orders.close_work_order,
}


@pytest.fixture
def plant():
    return production_plant()


def _order(plant, status=WorkOrderStatus.DRAFT):
    order = work_orders.create_work_order(
        site=plant.site, item=plant.product, quantity="10", due=timezone.now() + timedelta(days=1), user=plant.planner
    )
    WorkOrder.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order


def test_a_work_order_snapshots_the_approved_bom_and_routing(plant):
    order = _order(plant)
    assert order.number == f"WO-{plant.site.code}-000001"
    assert order.bom == plant.bom and order.routing == plant.routing
    materials = {m.component.code: (m.required, m.operation_sequence) for m in order.materials.all()}
    assert materials == {"T-SHAFT": (Decimal("10"), 10), "T-SCREW": (Decimal("42"), 20)}
    assert list(order.operations.values_list("sequence", "status")) == [
        (10, "pending"),
        (20, "pending"),
        (30, "pending"),
    ]


def test_an_item_without_an_approved_bom_is_refused_naming_the_field(plant):
    with pytest.raises(ValidationFailed) as refused:
        work_orders.create_work_order(
            site=plant.site, item=ItemFactory(), quantity="1", due=timezone.now(), user=plant.planner
        )
    assert refused.value.field == "item"


def test_release_makes_the_first_operation_ready(plant):
    order = released_order(plant)
    assert order.status == WorkOrderStatus.RELEASED
    assert list(order.operations.values_list("status", flat=True)) == ["ready", "pending", "pending"]


def test_hold_and_resume_go_back_to_where_the_order_was(plant):
    order = released_order(plant)
    first = order.operations.get(sequence=10)
    operations.start_operation(operation=first, user=plant.operator, equipment=plant.lathe1)
    order = work_orders.hold_work_order(work_order=order, user=plant.supervisor)
    with pytest.raises(InvalidTransition):
        operations.pause_operation(operation=first, user=plant.operator, reason="break")
    order = work_orders.resume_work_order(work_order=order, user=plant.supervisor)
    assert order.status == WorkOrderStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("status", "action"),
    [(s, a) for a, t in TRANSITIONS.items() for s in WorkOrderStatus.values if s not in t.sources and a in ACTIONS]
    + [(s, "resume") for s in WorkOrderStatus.values if s != WorkOrderStatus.ON_HOLD],
)
def test_every_illegal_transition_is_refused_and_changes_nothing(plant, status, action):
    order = _order(plant, status)
    before = WorkOrder.objects.filter(pk=order.pk).values().get()
    with pytest.raises(InvalidTransition):
        ACTIONS[action](work_order=order, user=plant.supervisor)
    assert WorkOrder.objects.filter(pk=order.pk).values().get() == before


def test_the_last_operation_done_completes_the_order_then_it_closes(plant):
    order = released_order(plant, quantity="1")
    for op in order.operations.order_by("sequence"):
        equipment = plant.lathe1 if op.work_centre == plant.machining else plant.press
        operations.start_operation(operation=op, user=plant.operator, equipment=equipment)
        operations.complete_operation(operation=op, user=plant.operator)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.COMPLETED
    order = work_orders.close_work_order(work_order=order, user=plant.supervisor)
    assert order.status == WorkOrderStatus.CLOSED
    assert set(order.operations.values_list("status", flat=True)) == {OperationStatus.DONE}


def test_completing_by_hand_is_refused_while_someone_runs_an_operation(plant):
    order = released_order(plant)
    operations.start_operation(operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1)
    with pytest.raises(InvalidTransition):
        work_orders.complete_work_order(work_order=order, user=plant.supervisor)
