"""Import from a file in the browser: upload items, read the dry run's row errors, upload the
corrected file, import it, and find the items on their list."""

import pytest

from core.models import Item
from core.roles import sync_roles
from tests.factories import SiteFactory, UserFactory, kg

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BAD = b"code,name,type,base_unit\nE2E-1,Steel sheet,raw,kg\nE2E-2,Bracket,raw,furlong\nE2E-1,Again,raw,kg\n"
GOOD = b"code,name,type,base_unit\nE2E-1,Steel sheet,raw,kg\nE2E-2,Bracket,raw,kg\n"


@pytest.fixture
def admin(transactional_db):
    sync_roles()
    kg()
    return UserFactory(username="importer", roles=["admin"], sites=[SiteFactory(code="P1")])


def test_dry_run_lists_the_errors_then_the_corrected_file_is_imported(admin, page, login, tmp_path):
    login(page, admin)
    page.goto("/core/imports/")
    page.select_option("select[name=kind]", "items")
    bad = tmp_path / "items.csv"
    bad.write_bytes(BAD)
    page.set_input_files("input[name=file]", str(bad))
    page.click("main button[type=submit]")
    page.wait_for_selector("#import-errors")
    rows = page.locator("#import-errors tbody tr")
    assert rows.count() == 2
    assert "base_unit" in rows.nth(0).inner_text() and "Repeats row 2" in rows.nth(1).inner_text()
    assert page.locator("#import-confirm").count() == 0
    assert not Item.objects.filter(code__startswith="E2E-").exists()

    page.click("text=Check another file")
    good = tmp_path / "items-fixed.csv"
    good.write_bytes(GOOD)
    page.select_option("select[name=kind]", "items")
    page.set_input_files("input[name=file]", str(good))
    page.click("main button[type=submit]")
    page.wait_for_selector("#import-confirm")
    assert "every row is good" in page.inner_text("main")
    assert not Item.objects.filter(code__startswith="E2E-").exists()
    page.click("#import-confirm")
    page.wait_for_selector("text=2 records imported.")
    assert sorted(Item.objects.filter(code__startswith="E2E-").values_list("code", flat=True)) == ["E2E-1", "E2E-2"]
