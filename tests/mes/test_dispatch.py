import pytest

from mes.models import EquipmentState
from mes.selectors.dispatch import dispatch_list
from mes.services import operations, work_orders
from mes.services.equipment import set_equipment_state
from tests.mes.factories import production_plant, released_order
from wms.services import lots

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    return production_plant()


def _line(lines, order):
    return next(line for line in lines if line["operation"].work_order_id == order.pk)


def test_most_urgent_first_then_earliest_due(plant):
    late = released_order(plant, priority=3, due_in_days=5)
    soon = released_order(plant, priority=3, due_in_days=1)
    urgent = released_order(plant, priority=1, due_in_days=9)
    lines = dispatch_list(user=plant.operator, work_centre=plant.machining)
    assert [line["operation"].work_order_id for line in lines] == [urgent.pk, soon.pk, late.pk]


def test_material_short_says_what_is_short(plant):
    order = released_order(plant, quantity="10")
    lots.hold_lot(lot=plant.shaft_lot, user=plant.supervisor, reason="suspect")
    line = _line(dispatch_list(user=plant.operator, work_centre=plant.machining), order)
    assert not line["startable"] and line["reason"] == "waiting_material"
    assert line["short"][0]["item"] == "T-SHAFT" and line["short"][0]["available"] == 0


def test_equipment_down_and_on_hold_and_in_progress(plant):
    order = released_order(plant)
    for machine in (plant.lathe1, plant.lathe2):
        set_equipment_state(equipment=machine, state=EquipmentState.DOWN)
    assert _line(dispatch_list(user=plant.operator, work_centre=plant.machining), order)["reason"] == "equipment_down"
    set_equipment_state(equipment=plant.lathe1, state=EquipmentState.IDLE)
    operations.start_operation(operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1)
    by_machine = dispatch_list(user=plant.operator, equipment=plant.lathe1)
    assert _line(by_machine, order)["reason"] == "in_progress"
    assert _line(dispatch_list(user=plant.operator, work_centre=plant.assembly), order)["reason"] == "ready"
    work_orders.hold_work_order(work_order=order, user=plant.supervisor)
    assert _line(dispatch_list(user=plant.operator, work_centre=plant.assembly), order)["reason"] == "on_hold"


def test_another_sites_operations_are_not_listed(plant):
    other = production_plant(prefix="U")
    released_order(other)
    assert dispatch_list(user=plant.operator, work_centre=other.machining) == []
