"""The supervisor dashboard: tiles, orders against due dates, WIP, the pages for each role and
site, and the API; in a fixed number of queries whatever the number of machines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mes.models import WorkOrder
from mes.selectors import dashboard
from mes.services import equipment as equipment_service
from mes.services import operations, production
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import EquipmentFactory, production_plant, released_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    plant = production_plant(prefix="D")
    order = released_order(plant, quantity="10", due_in_days=30)
    plant.op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    production.report_production(
        operation=plant.op,
        user=plant.operator,
        idempotency_key="dash-1",
        good=3,
        scrap=1,
        scrap_reason=plant.scrap_reason,
    )
    plant.order = order
    return plant


def test_a_tile_shows_state_job_progress_and_oee(plant):
    tiles = {t["code"]: t for t in dashboard.equipment_tiles(user=plant.supervisor, site=plant.site)}
    assert set(tiles) == {"D-LATHE1", "D-LATHE2", "D-PRESS1"}
    lathe = tiles["D-LATHE1"]
    assert lathe["state"] == "running" and lathe["work_order"] == plant.order
    assert lathe["operation"].sequence == 10 and lathe["done"] == Decimal(4)
    assert lathe["progress"] == pytest.approx(0.4)
    assert lathe["quality"] == pytest.approx(0.75)
    assert lathe["alerts"] == 0
    assert tiles["D-PRESS1"]["operation"] is None and tiles["D-PRESS1"]["progress"] is None
    payload = dashboard.tile_payload(lathe)
    assert payload["work_order"] == plant.order.number and payload["done"] == "4.000000"


def test_tiles_take_the_same_queries_for_three_machines_or_thirty(plant):
    dashboard.equipment_tiles(user=plant.supervisor, site=plant.site)  # the user's sites, cached
    with CaptureQueriesContext(connection) as few:
        dashboard.equipment_tiles(user=plant.supervisor, site=plant.site)
    for n in range(27):
        EquipmentFactory(work_centre=plant.machining if n % 2 else plant.assembly, code=f"D-EXTRA{n}")
    with CaptureQueriesContext(connection) as many:
        tiles = dashboard.equipment_tiles(user=plant.supervisor, site=plant.site)
    assert len(tiles) == 30
    assert len(many) == len(few) <= 13  # tiles, orders, WIP and the open alerts per machine


def test_orders_against_due_dates_are_late_at_risk_or_on_track(plant):
    late = released_order(plant, quantity="5")
    WorkOrder.objects.filter(pk=late.pk).update(due=timezone.now() - timedelta(hours=1))
    # 500 pieces × (60 + 30 + 10 s) + 15 min setup ≈ 14 h of work due in 2 hours
    tight = released_order(plant, quantity="500")
    WorkOrder.objects.filter(pk=tight.pk).update(due=timezone.now() + timedelta(hours=2))
    progress = dashboard.order_progress(user=plant.supervisor, site=plant.site)
    assert progress["counts"] == {"late": 1, "at_risk": 1, "on_track": 1}
    assert [o["number"] for o in progress["orders"]] == [late.number, tight.number]
    assert progress["orders"][1]["remaining_hours"] == pytest.approx((500 * 100 + 900) / 3600)


def test_wip_per_work_centre(plant):
    released_order(plant)
    rows = {r["work_centre__code"]: r for r in dashboard.wip_by_work_centre(user=plant.supervisor, site=plant.site)}
    assert (rows["D-MACH"]["active"], rows["D-MACH"]["queued"]) == (1, 1)
    assert rows["D-MACH"]["open_quantity"] == Decimal(6)
    assert (rows["D-ASSY"]["active"], rows["D-ASSY"]["queued"]) == (0, 1)


def test_the_supervisor_lands_on_the_dashboard_and_drills_down(plant, web_as):
    client = web_as(plant.supervisor)
    assert client.get("/")["Location"] == "/mes/dashboard/"
    page = client.get("/mes/dashboard/").content.decode()
    assert 'id="tile-D-LATHE1"' in page and plant.order.number in page and 'data-live="mes"' in page
    narrowed = client.get("/mes/dashboard/", {"work_centre": "D-ASSY"}).content.decode()
    assert 'id="tile-D-PRESS1"' in narrowed and 'id="tile-D-LATHE1"' not in narrowed
    assert client.get("/mes/dashboard/", {"area": "NOWHERE"}).status_code == 404
    tile = client.get("/mes/dashboard/tiles/D-LATHE1/").content.decode()
    assert tile.startswith("<article") and "4 / 10" in tile
    assert client.get("/mes/dashboard/panels/").status_code == 200
    equipment = client.get("/mes/equipment/D-LATHE1/")
    assert equipment.status_code == 200
    text = equipment.content.decode()
    assert 'data-plotly="chart-timeline-data"' in text and "dash-1" not in text and "Recent production reports" in text
    assert client.get("/mes/equipment/D-LATHE1/", {"window": "shift"}).status_code == 200


def test_analysis_pages_render_and_refuse_bad_periods_with_a_message(plant, web_as):
    client = web_as(plant.supervisor)
    for scope in ("equipment", "work_centre", "site"):
        for period in ("day", "shift"):
            page = client.get(
                "/mes/oee/", {"scope": scope, "period": period, "first": "2026-11-01", "last": "2026-11-07"}
            )
            assert page.status_code == 200
    bad = client.get("/mes/oee/", {"scope": "planet", "first": "2026-11-07", "last": "2026-11-01"})
    assert bad.status_code == 200 and {"scope", "last"} <= bad.context["form"].errors.keys()
    assert client.get("/mes/kpis/", {"period": "month", "first": "2026-01-01", "last": "2026-11-30"}).status_code == 200


def test_other_roles_and_sites(plant, web_as, client):
    assert web_as(plant.warehouse_user).get("/mes/dashboard/").status_code == 403
    assert web_as(plant.planner).get("/mes/dashboard/").status_code == 200
    assert web_as(plant.planner).get("/").url == "/scheduling/"  # planners land on their schedules
    stranger = UserFactory(username="dstranger", roles=["supervisor"], sites=[SiteFactory(code="DX")])
    other = web_as(stranger)
    page = other.get("/mes/dashboard/").content.decode()
    assert "D-LATHE1" not in page
    assert other.get("/mes/dashboard/tiles/D-LATHE1/").status_code == 404
    assert other.get("/mes/equipment/D-LATHE1/").status_code == 404
    client.logout()
    assert client.get("/mes/dashboard/").status_code == 302


def test_oee_api_rolls_up_by_scope_and_period(plant, api_as):
    equipment_service.set_equipment_state(equipment=plant.press, state="down", reason=plant.jam)
    client = api_as(plant.supervisor)
    today = timezone.now().astimezone(plant.site.tzinfo).date().isoformat()
    rows = client.get("/api/v1/mes/oee/", {"scope": "work_centre", "period": "day", "from": today}).json()
    assert [r["code"] for r in rows] == ["D-ASSY", "D-MACH"]
    assert rows[1]["members"] == 2 and rows[1]["good"] == 3 and set(rows[1]["losses"]) >= {"breakdowns", "idle"}
    site = client.get("/api/v1/mes/oee/", {"scope": "site", "from": today}).json()
    assert len(site) == 1 and site[0]["members"] == 3
    old = client.get("/api/v1/mes/oee/", {"equipment": "D-LATHE1"}).json()
    assert old["equipment"] == "D-LATHE1" and old["quality"] == pytest.approx(0.75)
    bad = client.get("/api/v1/mes/oee/", {"scope": "galaxy", "period": "year", "from": "2026-02-30"})
    assert bad.status_code == 400 and {"scope", "period", "from"} <= bad.json().keys()
    assert client.get("/api/v1/mes/oee/", {"scope": "site", "work_centre": "NOPE"}).status_code == 400
    pareto = client.get("/api/v1/mes/downtime-pareto/", {"site": plant.site.code, "from": today})
    assert pareto.status_code == 200


def test_dashboard_api(plant, api_as):
    body = api_as(plant.supervisor).get("/api/v1/mes/dashboard/", {"site": plant.site.code}).json()
    tile = next(t for t in body["tiles"] if t["equipment"] == "D-LATHE1")
    assert tile["work_order"] == plant.order.number and tile["progress"] == pytest.approx(0.4)
    assert body["orders"]["counts"]["on_track"] == 1
    assert api_as(plant.supervisor).get("/api/v1/mes/dashboard/").status_code == 400
    assert api_as(plant.supervisor).get("/api/v1/mes/dashboard/", {"site": "DX"}).status_code == 400
