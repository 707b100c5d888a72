"""Production KPIs against orders and reports placed by hand on two days of one week.

Site time. Monday 2 and Tuesday 3 November 2026:
- A: released Mon 08:00, completed Mon 16:00, due Mon 18:00 → on time, 8 h;
- B: released Mon 09:00, completed Tue 13:00, due Tue 12:00 → late, 28 h;
- C: released Tue 10:00, still open → WIP at the end of Tuesday;
- D: released Mon 10:00 and cancelled → left out everywhere.
Reports: Mon 90 good + 10 scrap, Tue 50 good.
Day Mon: WIP 1 (B), 1 completed, 8 h, on time 100 %, FPY 90 %.
Day Tue: WIP 1 (C), 1 completed, 28 h, on time 0 %, FPY 100 %.
Week 2026-W45: WIP 1, 2 completed, 18 h, on time 50 %, FPY 140/150.
"""

from datetime import date, datetime

import pytest

from mes.models import ProductionReport, WorkOrder
from mes.selectors.kpis import production_kpis
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db

MON, TUE = date(2026, 11, 2), date(2026, 11, 3)


@pytest.fixture
def plant():
    plant = production_plant(prefix="K")
    tz = plant.site.tzinfo

    def at(day, hour):
        return datetime(day.year, day.month, day.day, hour, tzinfo=tz)

    orders = {}
    for name, released, completed, due, status in (
        ("A", at(MON, 8), at(MON, 16), at(MON, 18), "completed"),
        ("B", at(MON, 9), at(TUE, 13), at(TUE, 12), "completed"),
        ("C", at(TUE, 10), None, at(TUE, 20), "in_progress"),
        ("D", at(MON, 10), None, at(TUE, 20), "cancelled"),
    ):
        order = released_order(plant)
        WorkOrder.objects.filter(pk=order.pk).update(
            released_at=released, completed_at=completed, due=due, status=status
        )
        orders[name] = order
    op = orders["A"].operations.get(sequence=10)
    for good, scrap, moment in ((90, 10, at(MON, 12)), (50, 0, at(TUE, 12))):
        report = ProductionReport.objects.create(
            operation=op,
            work_order=orders["A"],
            site=plant.site,
            good=good,
            scrap=scrap,
            user=plant.operator,
            idempotency_key=f"kpi-{good}",
        )
        ProductionReport.objects.filter(pk=report.pk).update(reported_at=moment)
    return plant


def test_kpis_per_day(plant):
    table = production_kpis(user=plant.supervisor, site=plant.site, period="day", first=MON, last=TUE)
    mon, tue = table.to_dict("records")
    assert (mon["period"], mon["wip"], mon["completed"]) == ("2026-11-02", 1, 1)
    assert mon["cycle_hours"] == pytest.approx(8)
    assert mon["on_time_rate"] == pytest.approx(1.0)
    assert mon["first_pass_yield"] == pytest.approx(0.9)
    assert (tue["wip"], tue["completed"]) == (1, 1)
    assert tue["cycle_hours"] == pytest.approx(28)
    assert tue["on_time_rate"] == pytest.approx(0.0)
    assert tue["first_pass_yield"] == pytest.approx(1.0)


def test_kpis_per_week_and_month(plant):
    (week,) = production_kpis(user=plant.supervisor, site=plant.site, period="week", first=MON, last=TUE).to_dict(
        "records"
    )
    assert week["period"] == "2026-W45"
    assert (week["wip"], week["completed"]) == (1, 2)
    assert week["cycle_hours"] == pytest.approx(18)
    assert week["on_time_rate"] == pytest.approx(0.5)
    assert week["first_pass_yield"] == pytest.approx(140 / 150)
    (month,) = production_kpis(
        user=plant.supervisor, site=plant.site, period="month", first=MON, last=date(2026, 11, 30)
    ).to_dict("records")
    assert month["period"] == "2026-11" and month["completed"] == 2


def test_a_period_with_nothing_to_measure_says_so(plant):
    (day,) = production_kpis(
        user=plant.supervisor, site=plant.site, period="day", first=date(2026, 10, 1), last=date(2026, 10, 1)
    ).to_dict("records")
    assert day["wip"] == 0 and day["completed"] == 0
    assert day["cycle_hours"] is None and day["on_time_rate"] is None and day["first_pass_yield"] is None


def test_kpi_api_answers_rows_and_refuses_bad_input(plant):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(plant.supervisor)
    response = client.get(
        "/api/v1/mes/kpis/", {"site": plant.site.code, "period": "week", "from": "2026-11-02", "to": "2026-11-03"}
    )
    assert response.status_code == 200
    (row,) = response.json()
    assert row["completed"] == 2 and row["on_time_rate"] == pytest.approx(0.5)
    bad = client.get("/api/v1/mes/kpis/", {"site": plant.site.code, "period": "year", "from": "2026-13-01"})
    assert bad.status_code == 400 and {"period", "from"} <= bad.json().keys()
    assert client.get("/api/v1/mes/kpis/", {"site": "ELSEWHERE"}).status_code == 400
