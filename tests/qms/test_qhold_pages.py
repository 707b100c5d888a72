"""Quality hold pages and the quality dashboard, through Django's client."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Item
from mes.models import ScrapReason
from mes.services import operations
from mes.services.production import report_production
from qms.models import QualityHold
from qms.services.holds import place_hold
from tests.factories import UserFactory
from tests.mes.factories import PASSWORD, production_plant, released_order
from wms.models import LotStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    plant = production_plant()
    plant.quality = UserFactory(username="tquality", roles=["quality"], sites=[plant.site])
    return plant


def _report(plant, op, key, good, scrap, reason=None):
    report_production(
        operation=op, user=plant.operator, idempotency_key=key, good=good, scrap=scrap, scrap_reason=reason
    )


def _scrap_case(plant):
    """Turning (T-MACH) reports 8 good and 3 scrapped T-FG: 2 for DIM, 1 for BURR; T-FG's
    standard cost is 12.50."""
    Item.objects.filter(pk=plant.product.pk).update(standard_cost=Decimal("12.50"))
    burr = ScrapReason.objects.get_or_create(code="BURR", defaults={"name": "Burrs"})[0]
    order = released_order(plant, quantity="20")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    _report(plant, op, "r1", 5, 2, plant.scrap_reason)
    _report(plant, op, "r2", 3, 1, burr)
    return order


def test_the_dashboard_figures_on_a_hand_computed_case(plant, web_as):
    _scrap_case(plant)
    place_hold(user=plant.quality, reason_code="supplier", reason="Cracks", lot=plant.shaft_lot)

    page = web_as(plant.quality).get("/qms/")

    assert page.status_code == 200
    figures = page.context
    assert figures["totals"].good == 8 and figures["totals"].scrap == 3
    assert figures["totals"].fpy == pytest.approx(8 / 11)
    assert figures["totals"].scrap_cost == Decimal("37.50")  # 3 × 12.50
    (item,) = figures["by_item"]
    assert (item.code, item.scrap_cost) == ("T-FG", Decimal("37.50"))
    (centre,) = figures["by_work_centre"]
    assert centre.code == "T-MACH" and centre.scrap_rate == pytest.approx(3 / 11)
    assert [(r.code, r.scrap, r.scrap_cost) for r in figures["pareto"]] == [
        ("DIM", 2, Decimal("25.00")),
        ("BURR", 1, Decimal("12.50")),
    ]
    assert [r.cumulative for r in figures["pareto"]] == pytest.approx([2 / 3, 1.0])
    assert figures["open_holds_count"] == 1
    html = page.content.decode()
    assert "72.7 %" in html and "37.50" in html and 'href="/qms/spc/"' in html
    assert figures["pareto_chart"]["data"][0]["y"] == [2.0, 1.0]


def test_the_dashboard_query_count_does_not_grow_with_the_data(plant, web_as):
    client = web_as(plant.quality)
    _scrap_case(plant)
    client.get("/qms/")
    with CaptureQueriesContext(connection) as few:
        client.get("/qms/")
    other = production_plant(site=plant.site, prefix="V")
    for n in range(3):
        order = released_order(other, quantity="20")
        op = operations.start_operation(
            operation=order.operations.get(sequence=10), user=other.operator, equipment=other.lathe1
        )
        _report(other, op, f"v{n}", 4, 1, other.scrap_reason)
        operations.complete_operation(operation=op, user=other.operator)
        place_hold(user=plant.quality, reason_code="other", reason="x", work_order=order)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/qms/")
    assert len(page.context["by_item"]) == 2 and page.context["open_holds_count"] == 3
    assert len(many) == len(few)


def test_the_dashboard_period_is_checked(plant, web_as):
    page = web_as(plant.quality).get("/qms/?start=2026-12-10&end=2026-12-01")
    assert page.status_code == 400 and "end" in page.context["form"].errors
    assert web_as(plant.quality).get("/qms/?start=nope&end=").status_code == 400


def test_quality_lands_on_the_dashboard_others_read_or_are_refused(plant, web_as):
    from core.views import landing_page

    assert landing_page(plant.quality) == "qms:dashboard"
    assert web_as(plant.warehouse_user).get("/qms/").status_code == 403
    holds = web_as(plant.operator).get("/qms/holds/")
    assert holds.status_code == 200 and "/qms/holds/new/" not in holds.content.decode()
    assert web_as(plant.operator).get("/qms/holds/new/").status_code == 403


def test_place_a_hold_from_the_lot_page_and_release_it_signed(plant, web_as):
    client = web_as(plant.quality)
    lot_page = client.get(f"/wms/lots/{plant.shaft_lot.pk}/").content.decode()
    assert f"/qms/holds/new/?lot={plant.shaft_lot.pk}" in lot_page

    form = client.get(f"/qms/holds/new/?lot={plant.shaft_lot.pk}")
    assert form.status_code == 200 and "T-SH-1" in form.content.decode()
    placed = client.post(
        f"/qms/holds/new/?lot={plant.shaft_lot.pk}", {"reason_code": "supplier", "reason": "Cracks on delivery"}
    )
    hold = QualityHold.objects.get()
    assert placed.status_code == 302 and placed["Location"] == f"/qms/holds/{hold.pk}/"
    plant.shaft_lot.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.ON_HOLD
    assert hold.number in client.get(f"/wms/lots/{plant.shaft_lot.pk}/").content.decode()

    wrong = client.post(f"/qms/holds/{hold.pk}/", {"note": "ok", "password": "nope"})
    assert wrong.status_code == 400 and "password" in wrong.context["form"].errors
    hold.refresh_from_db()
    assert hold.status == "active"

    released = client.post(f"/qms/holds/{hold.pk}/", {"note": "Re-tested", "password": PASSWORD})
    assert released.status_code == 302
    hold.refresh_from_db()
    plant.shaft_lot.refresh_from_db()
    assert hold.status == "released" and plant.shaft_lot.status == LotStatus.AVAILABLE
    assert "Re-tested" in client.get(f"/qms/holds/{hold.pk}/").content.decode()


def test_place_from_the_list_by_codes_with_field_errors(plant, web_as):
    client = web_as(plant.quality)
    unknown = client.post("/qms/holds/new/", {"equipment": "NOPE", "reason_code": "other", "reason": "x"})
    assert unknown.status_code == 400 and "equipment" in unknown.context["form"].errors
    none = client.post("/qms/holds/new/", {"reason_code": "other", "reason": "x"})
    assert none.status_code == 400 and none.context["form"].errors
    ok = client.post("/qms/holds/new/", {"equipment": "T-LATHE1", "reason_code": "calibration", "reason": "Drift"})
    assert ok.status_code == 302
    plant.lathe1.refresh_from_db()
    assert "Drift" in plant.lathe1.quality_hold_reason
    assert QualityHold.objects.get().number in client.get("/mes/equipment/T-LATHE1/").content.decode()


def test_hold_buttons_on_the_equipment_and_work_order_pages(plant, web_as):
    client = web_as(plant.quality)
    order = released_order(plant)
    assert f"/qms/holds/new/?equipment={plant.lathe1.pk}" in client.get("/mes/equipment/T-LATHE1/").content.decode()
    page = client.get(f"/mes/work-orders/{order.pk}/")
    assert page.status_code == 200, page.status_code
    assert f"/qms/holds/new/?work_order={order.pk}" in page.content.decode()


def test_the_list_filters_and_scopes(plant, web_as):
    held = place_hold(user=plant.quality, reason_code="supplier", reason="Cracks", lot=plant.shaft_lot)
    eq = place_hold(user=plant.quality, reason_code="calibration", reason="Drift", equipment=plant.lathe2)
    client = web_as(plant.quality)

    def numbers(query=""):
        page = client.get("/qms/holds/" + query)
        assert page.status_code == 200
        return [h.number for h in page.context["page_obj"]]

    assert sorted(numbers()) == sorted([held.number, eq.number])
    assert numbers("?target=equipment") == [eq.number]
    assert numbers("?q=Cracks") == [held.number]
    assert numbers("?status=released") == []
    assert "text/csv" in client.get("/qms/holds/?export=csv")["Content-Type"]
    stranger = UserFactory(roles=["quality"], sites=[production_plant(prefix="U").site])
    assert web_as(stranger).get(f"/qms/holds/{held.pk}/").status_code == 404
    assert web_as(plant.warehouse_user).get("/qms/holds/").status_code == 403
