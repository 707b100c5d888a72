"""A warehouse operator moves stock on a 1280x800 tablet with a keyboard-wedge scanner: each scan
is the code typed fast followed by Enter, and the screen moves to the next field by itself."""

import os
from decimal import Decimal

import pytest
from django.test import Client

from core import scancodes
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.floor.scanning import bin_payload
from wms.models import StockMove, StockQuant

# Playwright's sync API runs an event loop in this thread; the ORM calls here stay synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="system Chromium not installed"),
]


@pytest.fixture
def tablet_page(live_server):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield context, page
        browser.close()


def sign_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


def scan(page, code):
    """What a keyboard-wedge scanner does: type the code fast, then Enter."""
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def focused_name(page):
    return page.evaluate("document.activeElement && document.activeElement.name")


def test_move_by_wedge_scanning(tablet_page, live_server):
    context, page = tablet_page
    sync_roles()
    site = SiteFactory(code="P1")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WH1"), kind="raw", code="RAW")
    source = BinFactory(zone=zone, code="WH1-A-01-1-001")
    target = BinFactory(zone=zone, code="WH1-A-01-1-002")
    item = ItemFactory(code="RESIN-7", name="Epoxy resin", tracking="lot")
    lot = LotFactory(item=item, code="R-001", site=site)
    user = UserFactory(username="mover", roles=["warehouse"], sites=[site])
    stock_in(bin=source, item=item, lot=lot, quantity="10", user=user)
    sign_in(context, live_server, user)

    page.goto(f"{live_server.url}/wms/floor/move/")
    assert focused_name(page) == "from_bin"
    scan(page, bin_payload(bin=source))
    assert focused_name(page) == "what"
    scan(page, scancodes.lot_payload(lot=lot, quantity=10))
    assert focused_name(page) == "quantity"
    page.click("[data-keypad-for] button[data-key='4']")
    page.focus("input[name=to_bin]")
    scan(page, "NOT-OURS-42")  # a wrong label: refused, nothing moved, cursor back in that field
    page.wait_for_selector(".floor-error")
    assert "This code is not one of ours" in page.inner_text(".floor-error")
    assert focused_name(page) == "to_bin"
    assert not StockMove.objects.filter(kind="transfer").exists()

    scan(page, bin_payload(bin=target))
    page.wait_for_selector(".msg.success")
    assert "Moved 4" in page.inner_text(".msg.success")
    assert focused_name(page) == "from_bin"  # ready for the next move
    assert StockQuant.objects.get(bin=target, lot=lot).quantity == Decimal(4)
    assert StockQuant.objects.get(bin=source, lot=lot).quantity == Decimal(6)
    button = page.locator("main button[type=submit]").bounding_box()
    assert button["height"] >= 48
    key = page.locator("[data-keypad-for] button").first.bounding_box()
    assert key["height"] >= 48 and key["width"] >= 48


def test_an_idle_tablet_counts_down_signs_out_and_the_next_badge_comes_back(tablet_page, live_server, settings):
    context, page = tablet_page
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 3
    sync_roles()
    site = SiteFactory(code="P1")
    user = UserFactory(username="mover", roles=["warehouse"], sites=[site], badge_id="B-42")
    sign_in(context, live_server, user)
    page.goto(f"{live_server.url}/wms/floor/move/")
    countdown = page.locator("[data-idle-countdown]")
    countdown.wait_for(state="visible")
    assert "Signing out in 0:0" in countdown.inner_text()
    page.wait_for_url("**/floor/sign-in/**", timeout=10_000)
    assert "not used for a while" in page.content() or "Badge or user name" in page.content()
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 300
    page.fill("input[name=username]", "B-42")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("main button[type=submit]")
    page.wait_for_url("**/wms/floor/move/")
    assert "Move" in page.inner_text(".tablet-title")


def test_a_tapped_putaway_suggestion_fills_the_bin_and_confirm_is_in_view(tablet_page, live_server):
    context, page = tablet_page
    sync_roles()
    site = SiteFactory(code="P1")
    warehouse = WarehouseFactory(site=site, code="WH1")
    dock = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="receiving", code="RCV"), code="WH1-RCV-01")
    raw = ZoneFactory(warehouse=warehouse, kind="raw", code="RAW")
    for n in range(1, 6):
        BinFactory(zone=raw, code=f"WH1-A-01-1-{n:03d}", distance_rank=n)
    item = ItemFactory(code="BOLT-M8", name="Bolt M8", tracking="none")
    user = UserFactory(username="putter", roles=["warehouse"], sites=[site])
    stock_in(bin=dock, item=item, quantity="12", user=user)
    sign_in(context, live_server, user)

    page.goto(f"{live_server.url}/wms/floor/putaway/stock/?item={item.pk}&bin={dock.pk}")
    confirm = page.locator("main button[type=submit]").bounding_box()
    assert confirm["y"] + confirm["height"] <= 800, "Confirm is below the fold at 1280x800"
    second = page.locator("button.suggestion").nth(1)
    code = second.get_attribute("data-value")
    second.tap()
    assert page.input_value("input[name=to_bin]") == code
    assert second.get_attribute("aria-pressed") == "true"
    assert focused_name(page) == "quantity"
    page.click("main button[type=submit]")
    page.wait_for_selector(".msg.success")
    assert StockQuant.objects.get(bin__code=code, item=item).quantity == Decimal(12)
