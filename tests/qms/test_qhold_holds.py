"""Quality holds: placing and releasing them, and what they stop in the warehouse and on the
shop floor (pick, consume, ship; start, report, resume)."""

from decimal import Decimal

import pytest

from core.errors import InvalidTransition, PermissionDenied, SignatureInvalid, ValidationFailed
from core.events import publish
from core.models import Signature
from mes.models import WorkOrderStatus
from mes.selectors.dispatch import dispatch_list
from mes.services import operations, work_orders
from mes.services.production import report_production
from qms.models import HoldStatus, QualityHold
from qms.services.holds import place_hold, release_hold
from tests.factories import UserFactory
from tests.mes.factories import PASSWORD, production_plant, released_order
from tests.qms.factories import CharacteristicFactory
from tests.wms.factories import BinFactory, ZoneFactory
from wms.errors import LotNotAvailable
from wms.models import LotStatus, StockQuant
from wms.services import picking
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    plant = production_plant()
    plant.quality = UserFactory(username="tquality", roles=["quality"], sites=[plant.site])
    return plant


def hold_lot(plant, lot=None, **kwargs):
    return place_hold(
        user=plant.quality, reason_code="supplier", reason="Hardness out of spec", lot=lot or plant.shaft_lot, **kwargs
    )


def release(plant, hold, password=PASSWORD, note="Re-tested, within spec"):
    return release_hold(hold=hold, user=plant.quality, password=password, note=note)


# --- placing and releasing ---------------------------------------------------------------------


def test_a_hold_puts_the_lot_on_hold_and_its_release_gives_the_status_back_signed(plant):
    hold = hold_lot(plant)

    plant.shaft_lot.refresh_from_db()
    assert hold.number.startswith("QH-TS-") and hold.status == HoldStatus.ACTIVE
    assert hold.previous_status == LotStatus.AVAILABLE and hold.placed_by == plant.quality
    assert plant.shaft_lot.status == LotStatus.ON_HOLD and hold.number in plant.shaft_lot.status_reason

    hold = release(plant, hold)

    plant.shaft_lot.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.AVAILABLE
    assert hold.status == HoldStatus.RELEASED and hold.released_by == plant.quality
    assert hold.release_note == "Re-tested, within spec" and hold.released_at is not None
    signature = Signature.objects.get(object_id=str(hold.pk), content_type__model="qualityhold")
    assert signature.meaning == "released" and signature.user == plant.quality
    assert signature.history_id == hold.history.latest().history_id  # the release, in the audit trail
    assert [h.status for h in hold.history.order_by("history_date")] == ["active", "released"]


def test_a_quarantined_lot_goes_back_to_quarantine_on_release(plant):
    from wms.services.lots import change_lot_status

    change_lot_status(lot=plant.shaft_lot, status=LotStatus.QUARANTINE, user=plant.quality, reason="incoming")
    hold = hold_lot(plant)
    assert hold.previous_status == LotStatus.QUARANTINE

    release(plant, hold)

    plant.shaft_lot.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.QUARANTINE


def test_one_active_hold_per_target_and_a_new_one_after_release(plant):
    first = hold_lot(plant)
    with pytest.raises(InvalidTransition) as refused:
        hold_lot(plant)
    assert refused.value.code == "already_held" and first.number in str(refused.value.message)

    release(plant, first)
    second = hold_lot(plant)
    assert second.status == HoldStatus.ACTIVE and second.number != first.number
    assert QualityHold.objects.filter(lot=plant.shaft_lot, status="active").count() == 1


def test_a_wrong_password_changes_nothing(plant):
    hold = hold_lot(plant)
    with pytest.raises(SignatureInvalid):
        release(plant, hold, password="not-it")

    hold.refresh_from_db()
    plant.shaft_lot.refresh_from_db()
    assert hold.status == HoldStatus.ACTIVE and hold.released_at is None
    assert plant.shaft_lot.status == LotStatus.ON_HOLD
    assert not Signature.objects.filter(object_id=str(hold.pk), content_type__model="qualityhold").exists()


def test_only_quality_places_and_releases_and_only_at_its_sites(plant):
    with pytest.raises(PermissionDenied):
        place_hold(user=plant.operator, reason_code="other", reason="x", lot=plant.shaft_lot)
    hold = hold_lot(plant)
    with pytest.raises(PermissionDenied):
        release_hold(hold=hold, user=plant.supervisor, password=PASSWORD, note="ok")
    elsewhere = UserFactory(roles=["quality"], sites=[production_plant(prefix="U").site])
    with pytest.raises(Exception) as refused:
        release_hold(hold=hold, user=elsewhere, password=PASSWORD, note="ok")
    assert getattr(refused.value, "status", None) == 404
    hold.refresh_from_db()
    assert hold.status == HoldStatus.ACTIVE


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"reason_code": "nope", "reason": "x"}, "reason_code"),
        ({"reason_code": "other", "reason": "  "}, "reason"),
        ({"reason_code": "other", "reason": "x" * 301}, "reason"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(plant, kwargs, field):
    with pytest.raises(ValidationFailed) as refused:
        place_hold(user=plant.quality, lot=plant.shaft_lot, **kwargs)
    assert refused.value.field == field
    assert not QualityHold.objects.exists()


def test_exactly_one_target(plant):
    with pytest.raises(ValidationFailed) as refused:
        place_hold(user=plant.quality, reason_code="other", reason="x", lot=plant.shaft_lot, equipment=plant.lathe1)
    assert refused.value.field == "target"
    with pytest.raises(ValidationFailed):
        place_hold(user=plant.quality, reason_code="other", reason="x")


def test_release_needs_a_note_and_a_released_hold_is_not_released_again(plant):
    hold = hold_lot(plant)
    with pytest.raises(ValidationFailed) as refused:
        release(plant, hold, note=" ")
    assert refused.value.field == "note"
    release(plant, hold)
    with pytest.raises(InvalidTransition):
        release(plant, hold)


# --- what a held lot may not do ----------------------------------------------------------------


def test_a_held_lot_is_not_picked(plant):
    dock = BinFactory(zone=ZoneFactory(warehouse=plant.warehouse, kind="finished", code="DOCK"))
    pick_list = picking.create_pick_list(
        site=plant.site,
        purpose="staging",
        lines=[{"item": plant.shaft, "quantity": 4}],
        user=plant.warehouse_user,
        destination_bin=dock,
    )
    (line,) = pick_list.lines.all()
    hold_lot(plant)

    with pytest.raises(LotNotAvailable) as refused:
        picking.confirm_pick(line=line, picked_quantity=Decimal(4), user=plant.warehouse_user)
    assert "hold" in str(refused.value.message).lower()
    assert StockQuant.objects.get(bin=plant.wip, lot=plant.shaft_lot).quantity == 100


def test_a_held_lot_is_not_shipped(plant):
    hold_lot(plant)
    with pytest.raises(LotNotAvailable):
        post_move(
            kind="shipment",
            item=plant.shaft,
            lot=plant.shaft_lot,
            from_bin=plant.wip,
            quantity=Decimal(1),
            user=plant.warehouse_user,
        )
    assert StockQuant.objects.get(bin=plant.wip, lot=plant.shaft_lot).quantity == 100


def test_a_held_lot_is_not_consumed_in_a_production_report(plant):
    order = released_order(plant)
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    hold_lot(plant)

    with pytest.raises(LotNotAvailable):
        report_production(
            operation=op,
            user=plant.operator,
            idempotency_key="held-1",
            good=1,
            consumed=[{"item": plant.shaft, "lot": plant.shaft_lot.code, "bin": plant.wip, "quantity": Decimal(1)}],
        )
    assert StockQuant.objects.get(bin=plant.wip, lot=plant.shaft_lot).quantity == 100
    assert not order.reports.exists()


# --- equipment and work orders -----------------------------------------------------------------


def test_held_equipment_does_not_start_or_report_and_the_dispatch_list_says_why(plant):
    order = released_order(plant)
    running = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    hold = place_hold(user=plant.quality, reason_code="calibration", reason="Gauge overdue", equipment=plant.lathe1)

    with pytest.raises(InvalidTransition) as refused:
        report_production(operation=running, user=plant.operator, idempotency_key="eq-1", good=1)
    assert refused.value.code == "quality_hold" and "T-LATHE1" in str(refused.value.message)
    (line,) = list(dispatch_list(user=plant.operator, equipment=plant.lathe1))
    assert line["reason"] == "quality_hold" and "Gauge overdue" in line["message"]

    other = released_order(plant)
    with pytest.raises(InvalidTransition) as refused:
        operations.start_operation(
            operation=other.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
        )
    assert refused.value.code == "quality_hold"

    release(plant, hold, note="Gauge calibrated")
    plant.lathe1.refresh_from_db()
    assert plant.lathe1.quality_hold_reason == ""
    report, _ = report_production(operation=running, user=plant.operator, idempotency_key="eq-2", good=1)
    assert report.good == 1


def test_a_held_work_order_stops_is_not_resumed_by_hand_and_resumes_on_release(plant):
    order = released_order(plant)
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    hold = place_hold(user=plant.quality, reason_code="nonconformance", reason="Burrs", work_order=order)

    order.refresh_from_db()
    assert order.status == WorkOrderStatus.ON_HOLD and hold.previous_status == WorkOrderStatus.IN_PROGRESS
    with pytest.raises(InvalidTransition) as refused:
        work_orders.resume_work_order(work_order=order, user=plant.supervisor)
    assert refused.value.code == "quality_hold"
    with pytest.raises(InvalidTransition) as refused:
        report_production(operation=op, user=plant.operator, idempotency_key="wo-1", good=1)
    assert refused.value.code == "quality_hold"
    lines = dispatch_list(user=plant.operator, work_centre=plant.machining)
    assert {line["reason"] for line in lines if line["operation"].work_order_id == order.pk} == {"quality_hold"}

    release(plant, hold)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.IN_PROGRESS and order.quality_hold_reason == ""


def test_an_order_held_by_its_supervisor_stays_on_hold_after_the_quality_release(plant):
    order = work_orders.hold_work_order(work_order=released_order(plant), user=plant.supervisor)
    hold = place_hold(user=plant.quality, reason_code="other", reason="Check drawings", work_order=order)
    release(plant, hold)
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.ON_HOLD and order.quality_hold_reason == ""


# --- SPC violations ------------------------------------------------------------------------------


def _violation(site, characteristic, lots=(), orders=(), rules=(1,)):
    from django.db import transaction

    with transaction.atomic():
        publish(
            "qms.spc.violation",
            {
                "characteristic": characteristic.pk,
                "site": site.code,
                "rules": list(rules),
                "subgroup": "S-17",
                "lots": [lot.pk for lot in lots],
                "work_orders": [order.pk for order in orders],
                "equipment": [],
                "measured_at": "2026-12-01T10:00:00+00:00",
            },
            site=site,
        )


def test_a_violation_holds_the_lots_and_orders_of_a_characteristic_that_asks_for_it(plant):
    order = released_order(plant)
    characteristic = CharacteristicFactory(item=plant.shaft, hold_on_violation=True)
    _violation(plant.site, characteristic, lots=[plant.shaft_lot], orders=[order], rules=(1, 5))

    holds = QualityHold.objects.filter(characteristic=characteristic).order_by("pk")
    assert [(h.lot_id, h.work_order_id) for h in holds] == [(plant.shaft_lot.pk, None), (None, order.pk)]
    assert all(h.reason.startswith("SPC rules 1, 5") and h.reason_code == "spc_violation" for h in holds)
    plant.shaft_lot.refresh_from_db()
    order.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.ON_HOLD and order.status == WorkOrderStatus.ON_HOLD

    _violation(plant.site, characteristic, lots=[plant.shaft_lot], orders=[order])  # already held: no more
    assert QualityHold.objects.count() == 2


def test_a_violation_of_a_characteristic_without_holds_holds_nothing(plant):
    characteristic = CharacteristicFactory(item=plant.shaft)
    _violation(plant.site, characteristic, lots=[plant.shaft_lot])
    assert not QualityHold.objects.exists()
    plant.shaft_lot.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.AVAILABLE


def test_a_held_lot_is_not_released_around_its_hold(plant):
    from wms.services.lots import change_lot_status, release_lot

    hold = hold_lot(plant)
    with pytest.raises(InvalidTransition) as refused:
        release_lot(lot=plant.shaft_lot, user=plant.quality, password=PASSWORD, reason="looks fine")
    assert refused.value.code == "quality_hold" and hold.number in str(refused.value.message)
    with pytest.raises(InvalidTransition):
        change_lot_status(lot=plant.shaft_lot, status=LotStatus.QUARANTINE, user=plant.quality, reason="x")
    plant.shaft_lot.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.ON_HOLD
    change_lot_status(lot=plant.shaft_lot, status=LotStatus.REJECTED, user=plant.quality, reason="scrap it")
