from decimal import Decimal

import pytest

from core.errors import InvalidTransition, ValidationFailed
from mes.models import ProductionReport, WorkOrderMaterial
from mes.services import operations
from mes.services.production import OverQuantity, report_production
from tests.mes.factories import production_plant, released_order
from wms.errors import LotNotAvailable
from wms.models import Lot, StockMove, StockQuant
from wms.services import lots

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    return production_plant()


def _running(plant, order, sequence):
    op = order.operations.get(sequence=sequence)
    equipment = plant.lathe1 if sequence == 10 else plant.press
    return operations.start_operation(operation=op, user=plant.operator, equipment=equipment)


def test_a_report_consumes_through_the_ledger_and_counts(plant):
    order = released_order(plant)
    op = _running(plant, order, 10)
    report, created = report_production(
        operation=op,
        user=plant.operator,
        idempotency_key="k-1",
        good=4,
        scrap=1,
        scrap_reason=plant.scrap_reason,
        consumed=[{"item": plant.shaft, "lot": plant.shaft_lot.code, "bin": plant.wip, "quantity": Decimal(5)}],
    )
    assert created
    op.refresh_from_db()
    assert (op.good, op.scrap) == (Decimal(4), Decimal(1))
    issue = StockMove.objects.get(kind="issue", reference=order.number)
    assert report.consumed.get().move == issue and issue.lot == plant.shaft_lot and issue.quantity == 5
    assert StockQuant.objects.get(item=plant.shaft, bin=plant.wip).quantity == 95
    assert WorkOrderMaterial.objects.get(work_order=order, component=plant.shaft).issued == 5
    assert not report.outputs.exists()  # not the last operation


def test_the_same_key_again_applies_nothing_twice(plant):
    order = released_order(plant)
    op = _running(plant, order, 10)
    body = {
        "operation": op,
        "user": plant.operator,
        "idempotency_key": "k-2",
        "good": 3,
        "consumed": [{"item": plant.screw, "bin": plant.wip, "quantity": Decimal(12)}],
    }
    first, _ = report_production(**body)
    again, created = report_production(**body)
    assert again == first and not created
    op.refresh_from_db()
    assert op.good == 3
    assert StockMove.objects.filter(kind="issue", reference=order.number).count() == 1


def test_the_last_operation_makes_a_lot_in_the_output_bin(plant):
    order = released_order(plant, quantity="5")
    for sequence in (10, 20, 30):
        op = _running(plant, order, sequence)
        if sequence == 20:
            operations.complete_operation(operation=op, user=plant.operator)
    report, _ = report_production(operation=op, user=plant.operator, idempotency_key="k-3", good=5)
    output = report.outputs.get()
    assert output.bin == plant.fin and output.move.kind == "production_receipt" and output.quantity == 5
    assert output.lot.code == f"{order.number}-001" and output.lot.item == plant.product
    order.refresh_from_db()
    assert order.good == 5


def test_over_quantity_needs_a_supervisor(plant):
    order = released_order(plant, quantity="5")
    op = _running(plant, order, 10)
    with pytest.raises(OverQuantity):
        report_production(operation=op, user=plant.operator, idempotency_key="k-4", good=6)
    with pytest.raises(OverQuantity):
        report_production(operation=op, user=plant.operator, idempotency_key="k-5", good=6, override=True)
    report, _ = report_production(operation=op, user=plant.supervisor, idempotency_key="k-6", good=6, override=True)
    assert report.override
    assert ProductionReport.objects.count() == 1


def test_a_held_lot_is_not_available_and_nothing_is_booked(plant):
    order = released_order(plant)
    op = _running(plant, order, 10)
    lots.hold_lot(lot=plant.shaft_lot, user=plant.supervisor, reason="suspect")
    with pytest.raises(LotNotAvailable):
        report_production(
            operation=op,
            user=plant.operator,
            idempotency_key="k-7",
            good=1,
            consumed=[{"item": plant.shaft, "lot": plant.shaft_lot.code, "bin": plant.wip, "quantity": Decimal(1)}],
        )
    op.refresh_from_db()
    assert op.good == 0 and not ProductionReport.objects.exists()
    assert Lot.objects.get(pk=plant.shaft_lot.pk).status == "on_hold"


def test_reports_need_a_running_operation_a_key_and_a_scrap_reason(plant):
    order = released_order(plant)
    op = order.operations.get(sequence=10)
    with pytest.raises(InvalidTransition):
        report_production(operation=op, user=plant.operator, idempotency_key="k-8", good=1)
    op = _running(plant, order, 10)
    with pytest.raises(ValidationFailed) as no_key:
        report_production(operation=op, user=plant.operator, idempotency_key="", good=1)
    assert no_key.value.field == "idempotency_key"
    with pytest.raises(ValidationFailed) as no_reason:
        report_production(operation=op, user=plant.operator, idempotency_key="k-9", scrap=1)
    assert no_reason.value.field == "scrap_reason"


def test_serial_numbered_output_gets_one_serial_per_piece(plant):
    from core.models import Item

    Item.objects.filter(pk=plant.product.pk).update(tracking="serial")
    order = released_order(plant, quantity="3")
    for sequence in (10, 20):
        operations.complete_operation(operation=_running(plant, order, sequence), user=plant.operator)
    op = _running(plant, order, 30)
    report, _ = report_production(operation=op, user=plant.operator, idempotency_key="serials", good=3)
    serials = sorted(o.lot.code for o in report.outputs.all())
    assert serials == [f"{order.number}-{n:04d}" for n in (1, 2, 3)]
    assert all(o.quantity == 1 and o.bin == plant.fin for o in report.outputs.all())


def test_reports_and_state_changes_are_published_for_live_pages(plant):
    from core.models import Event

    order = released_order(plant)
    op = _running(plant, order, 10)
    report_production(operation=op, user=plant.operator, idempotency_key="live", good=2)
    names = list(Event.objects.order_by("pk").values_list("name", flat=True))
    assert {"mes.work_order.released", "mes.operation.started", "mes.equipment.state_changed"} <= set(names)
    reported = Event.objects.get(name="mes.production.reported")
    assert reported.payload["operation_good"] == "2.000000" and reported.payload["equipment"] == "T-LATHE1"
    assert reported.site == plant.site
