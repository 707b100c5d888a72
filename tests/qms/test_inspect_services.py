"""Inspection tasks: opened by receipts and production, results recorded strictly, the signed
decision carried out through the warehouse's lot services."""

from decimal import Decimal

import pytest

from core.errors import InvalidTransition, NotFound, PermissionDenied, SignatureInvalid, ValidationFailed
from core.models import Signature
from mes.services import operations
from mes.services.production import report_production
from qms.models import InspectionTask, Measurement
from qms.services import inspections
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import EquipmentFactory, production_plant, released_order
from tests.qms.factories import CharacteristicFactory, InspectionPlanFactory
from tests.qms.inspect_fixtures import PASSWORD, full_results, incoming_setup, receive
from wms.models import Lot, LotStatus, StockMove, StockQuant

pytestmark = pytest.mark.django_db


def lot_on_hand(lot):
    return sum((q.quantity for q in StockQuant.objects.filter(lot=lot)), Decimal(0))


def test_a_receipt_into_quarantine_opens_one_incoming_task_per_lot_and_plan():
    setup = incoming_setup()
    receive(setup, "20")
    lot = Lot.objects.get(item=setup.item, code="SUP-1")
    task = InspectionTask.objects.get()
    assert (task.lot, task.plan, task.stage, task.status) == (lot, setup.plan, "incoming", "open")
    assert task.sample_size == 3 and task.lot_quantity == 20 and task.number.startswith("QI-")
    assert lot.status == LotStatus.QUARANTINE

    receive(setup, "10")  # more of the same lot: still one task, the lot size follows
    task.refresh_from_db()
    assert InspectionTask.objects.count() == 1 and task.lot_quantity == 30


@pytest.mark.parametrize(
    ("lot_size", "aql", "level", "sample", "accept", "reject"),
    [
        ("500", "1.0", "II", 50, 1, 2),  # H: 50, Ac 1 Re 2
        ("1000", "0.65", "II", 80, 1, 2),  # J: 80, 0.65 → 1/2
        ("50", "4.0", "II", 13, 1, 2),  # D (8) has ↓ at 4.0: the plan of E (13) applies
    ],
)
def test_z14_sample_size_and_numbers_come_from_the_lot_size(lot_size, aql, level, sample, accept, reject):
    setup = incoming_setup(sampling="z14", aql=aql, level=level)
    receive(setup, lot_size)
    task = InspectionTask.objects.get()
    assert (task.sample_size, task.accept_number, task.reject_number) == (sample, accept, reject)


def test_full_inspection_samples_the_whole_lot():
    setup = incoming_setup(sampling="full", sample_size=None)
    receive(setup, "7")
    assert InspectionTask.objects.get().sample_size == 7


@pytest.mark.parametrize("typed", ["74,01", "74.01 mm", "74.01mm", "1e2", "", "abc"])
def test_a_value_with_a_comma_or_a_unit_is_refused_naming_the_characteristic(typed):
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    with pytest.raises(ValidationFailed) as refused:
        inspections.record_results(
            task=task,
            results=[{"characteristic": "BORE", "values": ["74.00", typed]}, {"characteristic": "LOOKS", "count": 0}],
            user=setup.inspector,
        )
    assert refused.value.field == "results.0.values.1"
    assert "BORE" in str(refused.value.message)
    assert not Measurement.objects.exists()  # nothing half-written
    task.refresh_from_db()
    assert task.status == "open"


def test_out_of_spec_values_are_flagged_and_the_sample_size_enforced():
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    rows = inspections.record_results(
        task=task, results=[{"characteristic": "BORE", "values": ["74.00", "74.06"]}], user=setup.inspector
    )
    assert [row.out_of_spec for row in rows] == [False, True]
    assert [row.subgroup for row in rows] == [f"{task.number}/1", f"{task.number}/1"]
    task.refresh_from_db()
    assert task.status == "in_progress"
    with pytest.raises(ValidationFailed) as refused:
        inspections.record_results(
            task=task, results=[{"characteristic": "BORE", "values": ["74.00", "74.01"]}], user=setup.inspector
        )
    assert refused.value.code == "over_sample" and refused.value.field == "results.0.values"
    inspections.record_results(
        task=task, results=[{"characteristic": "BORE", "values": ["-0.5"]}], user=setup.inspector
    )
    with pytest.raises(inspections.SampleComplete):
        inspections.record_results(
            task=task, results=[{"characteristic": "BORE", "values": ["74"]}], user=setup.inspector
        )
    assert Measurement.objects.filter(inspection_task=task).count() == 3


def test_attribute_counts_are_checked():
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    for entry, field in [
        ({"characteristic": "LOOKS", "count": "1.5"}, "results.0.count"),
        ({"characteristic": "LOOKS", "count": 4}, "results.0.count"),
        ({"characteristic": "LOOKS", "count": 1, "defect_type": "crack"}, "results.0.defect_type"),
        ({"characteristic": "NOPE", "count": 0}, "results.0.characteristic"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            inspections.record_results(task=task, results=[entry], user=setup.inspector)
        assert refused.value.field == field
    inspections.record_results(
        task=task, results=[{"characteristic": "LOOKS", "count": 1, "defect_type": "dent"}], user=setup.inspector
    )
    row = Measurement.objects.get()
    assert (row.count, row.size, row.out_of_spec, row.lot, row.defect_type) == (1, 3, True, task.lot, "dent")


def test_accept_releases_the_lot_with_the_inspectors_signature():
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    inspections.record_results(task=task, results=full_results(), user=setup.inspector)
    assert inspections.suggest_decision(task).decision == "accept"
    with pytest.raises(SignatureInvalid):
        inspections.decide_inspection(task=task, decision="accept", user=setup.inspector, password="wrong")
    task.refresh_from_db()
    assert task.status == "in_progress" and task.lot.status == LotStatus.QUARANTINE

    inspections.decide_inspection(task=task, decision="accept", user=setup.inspector, password=PASSWORD)
    task.refresh_from_db()
    task.lot.refresh_from_db()
    assert task.status == "accepted" and task.lot.status == LotStatus.AVAILABLE
    assert task.accepted_quantity == 20 and task.rejected_quantity == 0 and task.decided_by == setup.inspector
    assert Signature.objects.filter(user=setup.inspector, meaning="released").count() == 2  # the lot and the task
    with pytest.raises(InvalidTransition):
        inspections.decide_inspection(task=task, decision="reject", user=setup.inspector, password=PASSWORD, reason="x")


def test_accept_needs_the_whole_sample_and_quality():
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    with pytest.raises(ValidationFailed) as refused:
        inspections.decide_inspection(task=task, decision="accept", user=setup.inspector, password=PASSWORD)
    assert refused.value.code == "sample_incomplete"
    with pytest.raises(PermissionDenied):
        inspections.decide_inspection(task=task, decision="reject", user=setup.layout.user, password=PASSWORD)


def test_reject_rejects_the_lot_and_a_decision_against_the_plan_needs_a_reason():
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    inspections.record_results(
        task=task, results=full_results(values=("74.00", "74.09", "73.99")), user=setup.inspector
    )
    assert inspections.suggest_decision(task).decision == "reject"
    with pytest.raises(ValidationFailed) as refused:
        inspections.decide_inspection(task=task, decision="accept", user=setup.inspector, password=PASSWORD)
    assert refused.value.field == "reason"
    inspections.decide_inspection(task=task, decision="reject", user=setup.inspector, password=PASSWORD)
    task.refresh_from_db()
    task.lot.refresh_from_db()
    assert task.status == "rejected" and task.lot.status == LotStatus.REJECTED and task.rejected_quantity == 20
    assert lot_on_hand(task.lot) == 20
    assert Signature.objects.get(meaning="rejected").object_id == str(task.pk)


def test_partial_scraps_the_rejected_quantity_and_releases_the_rest():
    setup = incoming_setup()
    receive(setup, "20")
    task = InspectionTask.objects.get()
    inspections.record_results(task=task, results=full_results(), user=setup.inspector)
    for bad in ("20", "0", "2,5", "abc"):
        with pytest.raises(ValidationFailed) as refused:
            inspections.decide_inspection(
                task=task,
                decision="partial",
                user=setup.inspector,
                password=PASSWORD,
                reason="sorted",
                rejected_quantity=bad,
            )
        assert refused.value.field == "rejected_quantity"
    assert not StockMove.objects.filter(kind="scrap").exists()

    inspections.decide_inspection(
        task=task, decision="partial", user=setup.inspector, password=PASSWORD, reason="6 dented", rejected_quantity="6"
    )
    task.refresh_from_db()
    task.lot.refresh_from_db()
    assert task.status == "partial" and (task.accepted_quantity, task.rejected_quantity) == (14, 6)
    assert task.lot.status == LotStatus.AVAILABLE and lot_on_hand(task.lot) == 14
    scrap = StockMove.objects.get(kind="scrap")
    assert scrap.quantity == 6 and scrap.reference == task.number and scrap.lot == task.lot


def test_another_sites_inspector_cannot_see_or_touch_the_task():
    setup = incoming_setup()
    receive(setup)
    task = InspectionTask.objects.get()
    stranger = UserFactory(roles=["quality"], sites=[SiteFactory()])
    with pytest.raises(NotFound):
        inspections.record_results(task=task, results=full_results(), user=stranger)
    with pytest.raises(NotFound):
        inspections.decide_inspection(task=task, decision="reject", user=stranger, password=PASSWORD, reason="x")
    from qms.selectors.inspections import task_list

    assert not task_list(user=stranger).exists() and task_list(user=setup.inspector).get() == task


def _start_all(plant, order):
    packer = EquipmentFactory(work_centre=plant.assembly, code=f"{plant.site.code}-PACK")
    ops = []
    for sequence, equipment in ((10, plant.lathe1), (20, plant.press), (30, packer)):
        op = order.operations.get(sequence=sequence)
        ops.append(operations.start_operation(operation=op, user=plant.operator, equipment=equipment))
    return ops


def test_production_output_with_a_final_plan_goes_to_quarantine_with_a_final_task():
    plant = production_plant()
    plan = InspectionPlanFactory(
        item=plant.product, stage="final", sampling="fixed", sample_size=2, aql="", inspection_level=""
    )
    plan.characteristics.set([CharacteristicFactory(item=plant.product, stage="final", code="LEN", subgroup_size=2)])
    order = released_order(plant)
    last = _start_all(plant, order)[-1]
    report_production(operation=last, user=plant.operator, idempotency_key="f-1", good=4)
    lot = Lot.objects.get(item=plant.product)
    task = InspectionTask.objects.get(stage="final")
    assert lot.status == LotStatus.QUARANTINE and task.lot == lot and task.sample_size == 2


def test_every_n_units_opens_an_in_process_task_for_the_machine():
    plant = production_plant()
    plan = InspectionPlanFactory(
        item=plant.product,
        stage="in_process",
        sampling="fixed",
        sample_size=1,
        aql="",
        inspection_level="",
        every_units=5,
    )
    plan.characteristics.set(
        [CharacteristicFactory(item=plant.product, stage="in_process", code="OD", chart="imr", subgroup_size=1)]
    )
    order = released_order(plant, quantity="20")
    first = _start_all(plant, order)[0]
    report_production(operation=first, user=plant.operator, idempotency_key="u-1", good=3)
    assert not InspectionTask.objects.exists()
    report_production(operation=first, user=plant.operator, idempotency_key="u-2", good=3)
    task = InspectionTask.objects.get()
    assert (task.equipment, task.operation, task.trigger, task.stage) == (plant.lathe1, first, "units:1", "in_process")
    report_production(operation=first, user=plant.operator, idempotency_key="u-3", good=1)
    assert InspectionTask.objects.count() == 1


def test_every_t_minutes_opens_one_task_per_period():
    from datetime import timedelta

    from django.utils import timezone

    plant = production_plant()
    plan = InspectionPlanFactory(
        item=plant.product,
        stage="in_process",
        sampling="fixed",
        sample_size=1,
        aql="",
        inspection_level="",
        every_minutes=30,
    )
    plan.characteristics.set(
        [CharacteristicFactory(item=plant.product, stage="in_process", code="OD2", chart="imr", subgroup_size=1)]
    )
    order = released_order(plant)
    running = _start_all(plant, order)
    first = running[0]

    now = timezone.now()
    assert inspections.open_timed_inspections(site=plant.site, now=now + timedelta(minutes=10)) == []
    made = inspections.open_timed_inspections(site=plant.site, now=first.started_at + timedelta(minutes=31))
    # one task per running operation, each on its machine
    assert {(t.trigger, t.operation_id, t.equipment_id) for t in made} == {
        ("time:1", op.pk, op.equipment_id) for op in running
    }
    assert inspections.open_timed_inspections(site=plant.site, now=first.started_at + timedelta(minutes=40)) == []
    from qms.tasks import open_timed_inspections

    assert open_timed_inspections.run(site_code=plant.site.code) == {plant.site.code: 0}  # not 30 minutes yet


def test_gauge_values_arrive_as_machine_tags_for_the_open_in_process_task():
    from django.utils import timezone

    from core.events import signal

    plant = production_plant()
    plan = InspectionPlanFactory(
        item=plant.product,
        stage="in_process",
        sampling="fixed",
        sample_size=2,
        aql="",
        inspection_level="",
        every_units=5,
    )
    gauge = CharacteristicFactory(
        item=plant.product, stage="in_process", code="DIA", chart="imr", subgroup_size=1, tag="dia_mm"
    )
    by_hand = CharacteristicFactory(item=plant.product, stage="in_process", code="FIN", chart="imr", subgroup_size=1)
    plan.characteristics.set([gauge, by_hand])
    order = released_order(plant)
    first = _start_all(plant, order)[0]
    report_production(operation=first, user=plant.operator, idempotency_key="g-1", good=5)
    task = InspectionTask.objects.get()
    now = timezone.now()
    records = [
        {"equipment_id": plant.lathe1.pk, "site_id": plant.site.pk, "ts": now, "values": {"dia_mm": v, "temp": 40.0}}
        for v in (74.0, 74.2, 74.01)
    ]
    signal("mes.telemetry", records)
    rows = list(Measurement.objects.filter(inspection_task=task).order_by("id"))
    assert [(r.value, r.source, r.out_of_spec) for r in rows] == [
        (Decimal("74.000000"), "machine", False),
        (Decimal("74.200000"), "machine", True),
    ]
    # the sample is complete: later readings, and readings no column could hold, are passed over
    signal("mes.telemetry", [{**records[0], "values": {"dia_mm": 74.0}}, {**records[0], "values": {"dia_mm": 1e300}}])
    assert Measurement.objects.filter(inspection_task=task).count() == 2


def test_only_an_active_final_or_in_process_plan_makes_output_inspected():
    plant = production_plant()
    op = released_order(plant).operations.get(sequence=10)
    InspectionPlanFactory(item=plant.product, stage="incoming")
    assert not inspections.output_is_inspected(op.pk)
    final = InspectionPlanFactory(item=plant.product, stage="final", active=False)
    assert not inspections.output_is_inspected(op.pk)
    final.active = True
    final.save(update_fields=["active"])
    assert inspections.output_is_inspected(op.pk)
    assert not inspections.output_is_inspected(op.pk + 10_000)
