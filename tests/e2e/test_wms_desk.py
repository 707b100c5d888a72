"""A planner announces a delivery on the warehouse desk pages in Chromium: fills the header and
two item lines (one added with "Add a line"), sees the receipt, finds it in the list, cancels it."""

from decimal import Decimal

import pytest

from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from wms.models import ExpectedReceipt

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def planner():
    sync_roles()
    site = SiteFactory(code="P1", name="Plant one")
    ItemFactory(code="CMP-100", name="Compressor housing")
    ItemFactory(code="CMP-200", name="Compressor cap")
    return UserFactory(username="planner1", roles=["planner"], sites=[site])


def test_planner_creates_an_expected_receipt_then_finds_and_cancels_it(page, login, planner):
    login(page, planner)
    page.goto("/wms/receipts/")
    page.get_by_role("link", name="New expected receipt").click()

    page.fill("input[name=number]", "GR-E2E-1")
    page.fill("input[name=reference]", "PO-4711")
    page.fill("input[name=expected_date]", "2026-12-01")
    page.fill("input[name=lines-0-item]", "CMP-100")
    page.fill("input[name=lines-0-quantity]", "120")
    page.get_by_role("button", name="Add a line").click()  # five blank lines are offered; a sixth on demand
    page.fill("input[name=lines-5-item]", "CMP-200")
    page.fill("input[name=lines-5-quantity]", "30")
    page.get_by_role("button", name="Create expected receipt").click()

    page.wait_for_url("**/wms/receipts/*/")
    assert "Expected receipt GR-E2E-1 created." in page.inner_text(".messages")
    lines = page.locator("table.list").first.inner_text()
    assert "CMP-100" in lines and "CMP-200" in lines and "120 pcs" in lines

    receipt = ExpectedReceipt.objects.get(number="GR-E2E-1")
    assert [(line.item.code, line.quantity) for line in receipt.lines.order_by("line_no")] == [
        ("CMP-100", Decimal("120")),
        ("CMP-200", Decimal("30")),
    ]

    page.goto("/wms/receipts/?status=open")
    row = page.locator("table.list tbody tr", has_text="GR-E2E-1")
    assert "PO-4711" in row.inner_text() and "2026-12-01" in row.inner_text()
    row.get_by_role("link", name="GR-E2E-1").click()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cancel receipt").click()
    page.wait_for_load_state()
    assert "cancelled" in page.inner_text(".messages")
    receipt.refresh_from_db()
    assert receipt.status == "cancelled"


def test_the_receipt_form_fits_a_phones_width(planner, page, login):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, planner)
    for url in ["/wms/receipts/new/", "/wms/pick-lists/new/"]:
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} is {overflow}px wider than the phone"
        assert page.locator("input[name='lines-0-item']").is_visible()
