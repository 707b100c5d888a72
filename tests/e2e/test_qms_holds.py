"""Quality on a phone (390x844) holds a lot from its page and releases the hold with the
e-signature; the quality dashboard and the holds list at desk sizes."""

import re
from decimal import Decimal

import pytest

from core.models import Item
from mes.services import operations
from mes.services.production import report_production
from qms.models import QualityHold
from tests.e2e.conftest import ARTIFACTS, DEFAULT_PASSWORD
from tests.factories import UserFactory
from tests.mes.factories import production_plant, released_order
from wms.models import Lot, LotStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plant(transactional_db):
    plant = production_plant()
    plant.quality = UserFactory(
        username="tquality", first_name="Qiu", last_name="Lin", roles=["quality"], sites=[plant.site]
    )
    Item.objects.filter(pk=plant.product.pk).update(standard_cost=Decimal("12.50"))
    order = released_order(plant, quantity="20")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    report_production(
        operation=op, user=plant.operator, idempotency_key="e2e-1", good=8, scrap=3, scrap_reason=plant.scrap_reason
    )
    return plant


def _shot(page, request, suffix):
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{request.node.nodeid}-{suffix}")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_hold_a_lot_and_release_it_signed_on_a_phone(plant, browser, base_url, login, request):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=base_url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, plant.quality)
        assert page.url.endswith("/qms/")  # quality lands on its dashboard

        page.goto(f"/wms/lots/{plant.shaft_lot.pk}/")
        page.get_by_role("link", name="Place a quality hold").click()
        page.select_option("select[name=reason_code]", "supplier")
        page.fill("textarea[name=reason]", "Cracks found on delivery")
        page.get_by_role("button", name="Place the hold").click()
        page.wait_for_url(re.compile(r"/qms/holds/\d+/$"))
        assert "Active" in page.locator("h1").inner_text()
        assert Lot.objects.get(pk=plant.shaft_lot.pk).status == LotStatus.ON_HOLD

        page.fill("textarea[name=note]", "Re-tested: within specification")
        page.fill("input[name=password]", "wrong password")
        page.get_by_role("button", name="Release, signed").click()
        assert page.locator(".errorlist").first.is_visible()
        assert QualityHold.objects.get().status == "active"

        page.fill("input[name=password]", DEFAULT_PASSWORD)
        page.evaluate("window.scrollTo(0, 0)")
        _shot(page, request, "release-390")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the release page scrolls sideways on a phone ({width}px)"
        page.get_by_role("button", name="Release, signed").click()
        page.wait_for_load_state()
        assert "Released" in page.locator("h1").inner_text()
        assert "Re-tested: within specification" in page.content()
        assert QualityHold.objects.get().status == "released"
        assert Lot.objects.get(pk=plant.shaft_lot.pk).status == LotStatus.AVAILABLE
    finally:
        context.close()


@pytest.mark.parametrize("size", [(1280, 800), (1920, 1080)])
def test_the_dashboard_and_the_holds_list_at_desk_sizes(plant, browser, base_url, login, request, size):
    from qms.services.holds import place_hold

    place_hold(user=plant.quality, reason_code="supplier", reason="Cracks", lot=plant.shaft_lot)
    place_hold(user=plant.quality, reason_code="calibration", reason="Probe drift", equipment=plant.lathe2)
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, base_url=base_url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, plant.quality)
        page.goto("/qms/")
        page.wait_for_selector(".chart .main-svg")
        assert page.locator("#kpi-fpy").inner_text() == "72.7 %"
        assert page.locator("#kpi-open-holds").inner_text() == "2"
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        _shot(page, request, f"dashboard-{size[0]}")
        page.goto("/qms/holds/")
        assert page.locator("table.holds tbody tr").count() == 2
        _shot(page, request, f"holds-{size[0]}")
    finally:
        context.close()
