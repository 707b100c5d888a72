"""Lists export to CSV and Excel: the filtered rows, all pages, typed cells, no formulas."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import ItemFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(username="admin1", roles=["admin"])


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_has_the_list_columns_and_every_filtered_row_not_one_page(client, admin):
    pcs = UnitFactory()
    for n in range(60):
        ItemFactory(code=f"EXP-{n:03}", name=f"Export item {n}", base_unit=pcs, type="raw")
    ItemFactory(code="OTHER-1", name="Finished thing", base_unit=pcs, type="finished")
    client.force_login(admin)
    response = client.get(reverse("core:item-list"), {"type": "raw", "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][0].lower() == "code"
    codes = [row[0] for row in rows[1:]]
    assert len(codes) == 60
    assert "OTHER-1" not in codes


def test_excel_export_keeps_numbers_as_numbers_and_follows_the_sort(client, admin):
    pcs = UnitFactory()
    ItemFactory(code="B-ITEM", name="Bee", base_unit=pcs, standard_cost=Decimal("2.50"))
    ItemFactory(code="A-ITEM", name="Ay", base_unit=pcs, standard_cost=Decimal("10"))
    client.force_login(admin)
    response = client.get(reverse("core:item-list"), {"sort": "-code", "export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert [row[0] for row in values[1:]] == ["B-ITEM", "A-ITEM"]


def test_text_that_a_spreadsheet_would_run_is_quoted(client, admin):
    ItemFactory(code="FORMULA-1", name='=HYPERLINK("http://x")', base_unit=UnitFactory())
    client.force_login(admin)
    rows = _csv_rows(client.get(reverse("core:item-list"), {"export": "csv"}))
    names = [cell for row in rows[1:] for cell in row if "HYPERLINK" in cell]
    assert names and all(name.startswith("'=") for name in names)


def test_export_is_scoped_like_the_list(client):
    user = UserFactory(username="noperm", roles=[])
    client.force_login(user)
    assert client.get(reverse("core:item-list"), {"export": "csv"}).status_code == 403


def test_list_page_links_both_exports(client, admin):
    ItemFactory(code="LINKED-1", base_unit=UnitFactory())
    client.force_login(admin)
    html = client.get(reverse("core:item-list"), {"q": "LINKED"}).content.decode()
    assert "q=LINKED&amp;export=csv" in html
    assert "export=xlsx" in html
