"""A supervisor on the desk in Chromium: filters the lots, saves the filter, sorts, picks the
saved filter again, then comments on a lot with a file attached and sees it on the lot's page."""

import pytest

from core.models import Comment, SavedFilter
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import LotFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def supervisor(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    sync_roles()
    site = SiteFactory(code="P1", name="Plant one")
    item = ItemFactory(code="RESIN-1", tracking="lot")
    LotFactory(item=item, site=site, code="R-AAA", status="on_hold")
    LotFactory(item=item, site=site, code="R-BBB", status="on_hold")
    LotFactory(item=item, site=site, code="R-CCC", status="available")
    return UserFactory(username="sup1", roles=["supervisor"], sites=[site])


def test_supervisor_saves_a_filter_and_comments_on_a_lot(page, login, supervisor, tmp_path):
    login(page, supervisor)
    page.goto("/wms/lots/")
    page.select_option("select[name=status]", "on_hold")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.inner_text(".result-count") == "2 records"

    page.get_by_text("Save this filter").click()
    page.fill("input[name=name]", "On hold")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    assert SavedFilter.objects.get(user=supervisor).query == "status=on_hold"

    page.get_by_role("link", name="Lot / serial").click()  # ascending
    page.get_by_role("link", name="Lot / serial").click()  # descending
    page.wait_for_load_state()
    assert page.locator("table.list tbody tr").first.inner_text().startswith("R-BBB")

    page.goto("/wms/lots/")
    page.get_by_text("Saved filters").click()
    page.get_by_role("link", name="On hold").click()
    page.wait_for_load_state()
    assert page.inner_text(".result-count") == "2 records"

    page.get_by_role("link", name="R-AAA").click()
    page.fill("textarea[name=body]", "Drum dented, photo attached.")
    note = tmp_path / "dent.txt"
    note.write_text("dent on the lower rim")
    page.set_input_files("input[type=file]", str(note))
    page.get_by_role("button", name="Add comment").click()
    page.wait_for_load_state()
    assert "Comment added." in page.inner_text(".messages")
    panel = page.inner_text("#comments")
    assert "Drum dented, photo attached." in panel and "dent.txt" in panel
    assert Comment.objects.get().file_name == "dent.txt"
