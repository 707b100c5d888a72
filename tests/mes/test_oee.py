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
