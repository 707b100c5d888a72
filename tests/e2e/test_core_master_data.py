"""An administrator creates an item through the master-data form in Chromium, finds it in the
item list by searching, opens it and sees its creation in the audit trail."""

import pytest

from core.models import Item
from core.roles import sync_roles
from tests.factories import UnitFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin():
    sync_roles()
    UnitFactory(code="pcs", name="pieces")
    UnitFactory(code="kg", name="kilogram", dimension="mass")
    return UserFactory(username="admin1", first_name="Ada", last_name="Admin", roles=["admin"])


def test_admin_creates_an_item_and_finds_it_in_the_list(page, login, admin):
    login(page, admin)
    page.goto("/core/items/")
    page.get_by_role("link", name="New item").click()

    page.fill("input[name=code]", "CMP-E2E-1")
    page.fill("input[name=name]", "Scroll compressor housing")
    page.select_option("select[name=type]", "semi_finished")
    page.select_option("select[name=base_unit]", label="pcs")
    page.select_option("select[name=tracking]", "lot")
    page.fill("input[name=standard_cost]", "38.40")
    page.check("input[name=inspection_required]")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url("**/core/items/*/")
    assert "saved" in page.inner_text(".messages")
    assert "Audit trail" in page.inner_text(".audit-trail")
    assert "Ada Admin" in page.inner_text(".audit-trail")

    page.get_by_role("link", name="Items").first.click()
    page.fill("input[name=q]", "scroll")
    page.get_by_role("button", name="Filter").click()
    row = page.locator("table.list tbody tr")
    assert row.count() == 1
    assert "CMP-E2E-1" in row.inner_text()
    assert "Semi-finished" in row.inner_text()
    assert "38.40" in row.inner_text()

    item = Item.objects.get(code="CMP-E2E-1")
    assert item.tracking == "lot" and item.inspection_required
    assert item.history.get().history_user == admin


def test_wrong_entries_come_back_with_messages_and_nothing_is_saved(page, login, admin):
    login(page, admin)
    page.goto("/core/items/new/")
    page.fill("input[name=code]", "bad code!")
    page.fill("input[name=name]", "x")
    page.select_option("select[name=type]", "raw")
    page.select_option("select[name=base_unit]", label="pcs")
    page.fill("input[name=standard_cost]", "-5")
    page.get_by_role("button", name="Save").click()

    assert "Please correct the errors below." in page.inner_text("[role=alert]")
    assert page.locator(".field.has-error").count() == 2
    assert page.input_value("input[name=name]") == "x"
    assert not Item.objects.exists()
