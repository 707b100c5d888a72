"""OEE against a shift computed by hand.

Shift 06:00-14:00 local with a 10:00-10:30 break: 450 min planned. The lathe runs 06:00-09:00,
is down 09:00-09:45, runs 09:45-12:00 (the break is not planned time, so 09:45-10:00 and
10:30-12:00 count: 105 min), is idle 12:00-12:30 and runs 12:30-14:00 (90 min).
Run time = 180 + 105 + 90 = 375 min; availability = 375/450 = 0.8333.
Ideal cycle 45 s, 480 good + 20 scrap = 500 pieces = 375 min ideal; performance = 1.0.
Quality = 480/500 = 0.96; OEE = 0.8333 × 1.0 × 0.96 = 0.80.
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from mes.models import EquipmentStateRecord, IdealCycleTime, PlannedDowntime, ProductionReport
from mes.selectors.oee import oee_for_shift
from mes.services import operations
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 2)


@pytest.fixture
def plant():
    return production_plant()


def _at(plant, hour, minute=0):
    return datetime(2026, 11, 2, hour, minute, tzinfo=plant.site.tzinfo)


def _history(plant, intervals):
    EquipmentStateRecord.objects.filter(equipment=plant.lathe1).delete()
    for state, start, end in intervals:
        EquipmentStateRecord.objects.create(
            equipment=plant.lathe1, state=state, started_at=_at(plant, *start), ended_at=_at(plant, *end)
        )


def _report(plant, good, scrap, at):
    op = getattr(plant, "running_op", None)
    if op is None:
        order = released_order(plant, quantity="1000")
        op = plant.running_op = operations.start_operation(
            operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe2
        )
    report = ProductionReport.objects.create(
        operation=op,
        work_order=op.work_order,
        site=plant.site,
        equipment=plant.lathe1,
        good=good,
        scrap=scrap,
        user=plant.operator,
        idempotency_key=f"oee-{good}-{scrap}",
    )
    ProductionReport.objects.filter(pk=report.pk).update(reported_at=at)


def test_oee_of_a_shift_with_a_break_and_a_downtime(plant):
    IdealCycleTime.objects.create(equipment=plant.lathe1, item=plant.product, seconds=Decimal(45))
    _history(
        plant,
        [
            ("running", (6, 0), (9, 0)),
            ("down", (9, 0), (9, 45)),
            ("running", (9, 45), (12, 0)),
            ("idle", (12, 0), (12, 30)),
            ("running", (12, 30), (14, 0)),
        ],
    )
    _report(plant, Decimal(300), Decimal(10), _at(plant, 9))
    _report(plant, Decimal(180), Decimal(10), _at(plant, 13))

    figures = oee_for_shift(equipment=plant.lathe1, shift=plant.shift, day=DAY)

    assert figures["planned_seconds"] == 450 * 60
    assert figures["run_seconds"] == 375 * 60
    assert figures["availability"] == pytest.approx(375 / 450)
    assert figures["performance"] == pytest.approx(1.0)
    assert figures["quality"] == pytest.approx(0.96)
    assert figures["oee"] == pytest.approx(0.80)


def test_planned_downtime_and_holidays_are_not_planned_time(plant):
    PlannedDowntime.objects.create(calendar=plant.calendar, start=_at(plant, 6), end=_at(plant, 7))
    _history(plant, [("running", (6, 0), (14, 0))])
    figures = oee_for_shift(equipment=plant.lathe1, shift=plant.shift, day=DAY)
    assert figures["planned_seconds"] == 390 * 60 and figures["run_seconds"] == 390 * 60
    assert figures["availability"] == pytest.approx(1.0)

    plant.calendar.holidays.create(date=DAY, name="Plant holiday")
    figures = oee_for_shift(equipment=plant.lathe1, shift=plant.shift, day=DAY)
    assert figures["planned_seconds"] == 0 and figures["availability"] is None


# --- the six big losses, rollups and the Pareto ------------------------------------------------
#
# Lathe 1, the same 06:00-14:00 shift (450 planned min, break 10:00-10:30):
#   setup 06:00-06:20 (20) · running 06:20-09:00 (160) · down 09:00-09:45 for a jam (45) ·
#   running 09:45-12:00 (105 inside planned time) · idle 12:00-12:03 (3: a small stop) ·
#   running 12:03-14:00 (117). Run time 382 min; 20 + 45 + 3 + 382 = 450.
# Its operation starts at 06:20. Reports: 06:30 40 good + 5 scrap (10 min after the start: startup
# rejects), 13:00 400 good + 15 scrap (production rejects). Ideal cycle 45 s: 460 pieces = 345 min.
#   reduced speed = 382 - 345 = 37 min; startup rejects = 5 × 45 s; production rejects = 15 × 45 s.
#   OEE = 382/450 × 345/382 × 440/460 = 440 × 45 s / 450 min = 0.7333.
# Lathe 2 runs the whole shift (450 min) and reports 100 good at 08:00 with the routing's 60 s.
# The press (other work centre) has planned time but no state: 450 min planned, nothing run.


def _lathe1_shift(plant):
    from mes.models import Operation

    IdealCycleTime.objects.create(equipment=plant.lathe1, item=plant.product, seconds=Decimal(45))
    EquipmentStateRecord.objects.filter(equipment__in=[plant.lathe1, plant.lathe2, plant.press]).delete()
    rows = [
        ("setup", (6, 0), (6, 20), None),
        ("running", (6, 20), (9, 0), None),
        ("down", (9, 0), (9, 45), plant.jam),
        ("running", (9, 45), (12, 0), None),
        ("idle", (12, 0), (12, 3), None),
        ("running", (12, 3), (14, 0), None),
    ]
    for state, start, end, reason in rows:
        EquipmentStateRecord.objects.create(
            equipment=plant.lathe1, state=state, started_at=_at(plant, *start), ended_at=_at(plant, *end), reason=reason
        )
    EquipmentStateRecord.objects.create(
        equipment=plant.lathe2, state="running", started_at=_at(plant, 6), ended_at=_at(plant, 14)
    )
    order = released_order(plant, quantity="1000")
    op = order.operations.get(sequence=10)
    Operation.objects.filter(pk=op.pk).update(status="running", equipment=plant.lathe1, started_at=_at(plant, 6, 20))
    for equipment, good, scrap, at in (
        (plant.lathe1, 40, 5, _at(plant, 6, 30)),
        (plant.lathe1, 400, 15, _at(plant, 13)),
        (plant.lathe2, 100, 0, _at(plant, 8)),
    ):
        report = ProductionReport.objects.create(
            operation=op,
            work_order=order,
            site=plant.site,
            equipment=equipment,
            good=good,
            scrap=scrap,
            user=plant.operator,
            idempotency_key=f"loss-{equipment.code}-{good}",
        )
        ProductionReport.objects.filter(pk=report.pk).update(reported_at=at)


def test_the_six_big_losses_add_up_to_the_planned_time(plant):
    _lathe1_shift(plant)
    figures = oee_for_shift(equipment=plant.lathe1, shift=plant.shift, day=DAY)
    losses = figures["losses"]
    assert figures["run_seconds"] == 382 * 60
    assert losses["setup_adjustment"] == 20 * 60
    assert losses["breakdowns"] == 45 * 60
    assert losses["small_stops"] == 3 * 60
    assert losses["idle"] == 0
    assert losses["reduced_speed"] == pytest.approx(37 * 60)
    assert losses["startup_rejects"] == pytest.approx(5 * 45)
    assert losses["production_rejects"] == pytest.approx(15 * 45)
    assert figures["oee"] == pytest.approx(440 * 45 / (450 * 60))
    fully_productive = figures["planned_seconds"] - sum(losses.values())
    assert fully_productive == pytest.approx(440 * 45)


def test_work_centre_and_site_rollups_combine_the_machines_sums(plant):
    from mes.models import Equipment
    from mes.selectors.oee import oee_table

    _lathe1_shift(plant)
    machines = Equipment.objects.filter(site=plant.site).select_related("site", "work_centre")
    by_centre = {
        r["code"]: r for r in oee_table(equipment=machines, scope="work_centre", period="shift", first=DAY, last=DAY)
    }
    machining = by_centre[plant.machining.code]
    assert machining["shift"] == "A" and machining["members"] == 2
    assert machining["planned_seconds"] == 900 * 60
    assert machining["availability"] == pytest.approx((382 + 450) / 900)
    assert machining["performance"] == pytest.approx((345 * 60 + 6000) / ((382 + 450) * 60))
    assert machining["quality"] == pytest.approx(540 / 560)
    assert by_centre[plant.assembly.code]["availability"] == 0

    (site,) = oee_table(equipment=machines, scope="site", period="day", first=DAY, last=DAY)
    assert site["code"] == plant.site.code and site["shift"] is None and site["members"] == 3
    assert site["planned_seconds"] == 1350 * 60
    assert site["availability"] == pytest.approx((382 + 450) / 1350)
    assert site["losses"]["breakdowns"] == 45 * 60

    per_machine = oee_table(equipment=machines, scope="equipment", period="day", first=DAY, last=DAY)
    assert [r["code"] for r in per_machine] == sorted(m.code for m in machines)


def test_downtime_pareto_orders_reasons_by_stopped_time(plant):
    from mes.selectors.oee import downtime_pareto, shift_window

    _lathe1_shift(plant)
    start, end = shift_window(plant.shift, DAY, plant.site.tzinfo)
    rows = downtime_pareto(equipment=[plant.lathe1, plant.lathe2], start=start, end=end)
    assert [(r["reason"], r["seconds"], r["stops"]) for r in rows] == [
        ("JAM", 45 * 60, 1),
        ("setup", 20 * 60, 1),
        ("idle", 3 * 60, 1),
    ]
    assert rows[0]["share"] == pytest.approx(45 / 68)
    assert rows[1]["cumulative"] == pytest.approx(65 / 68)
    assert rows[-1]["cumulative"] == pytest.approx(1.0)
