"""The warehouse floor screens through the Django client: each flow changes stock as the operator
expects; each bad scan or number is refused on the same screen with nothing written."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core import scancodes
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.floor.scanning import bin_payload
from wms.models import CountTask, LotStatus, PickLine, PickList, StockMove, StockQuant
from wms.services.receiving import create_expected_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def roles():
    """Role permissions as `migrate` leaves them (every app's permissions exist by then)."""
    sync_roles()


@pytest.fixture
def plant():
    site = SiteFactory(code="P1")
    warehouse = WarehouseFactory(site=site, code="WH1")
    receiving = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="receiving", code="RCV"), code="WH1-RCV-01")
    quarantine = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="quarantine", code="QUA"), code="WH1-QUA-01")
    raw = ZoneFactory(warehouse=warehouse, kind="raw", code="RAW")
    a = BinFactory(zone=raw, code="WH1-A-01", pick_sequence=1)
    b = BinFactory(zone=raw, code="WH1-A-02", pick_sequence=2)
    bolt = ItemFactory(code="BOLT-M8", name="Bolt M8", tracking="none")
    resin = ItemFactory(code="RESIN-7", name="Epoxy resin", tracking="lot", shelf_life_days=365)
    user = UserFactory(username="picker", roles=["warehouse"], sites=[site])
    return {
        "site": site,
        "receiving": receiving,
        "quarantine": quarantine,
        "a": a,
        "b": b,
        "bolt": bolt,
        "resin": resin,
        "user": user,
    }


def qty(bin_, item, lot=None):
    row = StockQuant.objects.filter(bin=bin_, item=item, lot=lot).first()
    return row.quantity if row else Decimal(0)


def refused(response, text):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert "Not done" in response.content.decode()


# Move ---------------------------------------------------------------------------------------


@pytest.fixture
def resin_in_a(plant):
    lot = LotFactory(item=plant["resin"], code="R-001", site=plant["site"])
    stock_in(bin=plant["a"], item=plant["resin"], lot=lot, quantity="10", user=plant["user"])
    return lot


def move(client, **data):
    return client.post(reverse("wms:tablet-move"), data)


def test_move_by_scanning_labels(plant, resin_in_a, web_as):
    client = web_as(plant["user"])
    assert client.get(reverse("wms:tablet-move")).status_code == 200
    response = move(
        client,
        from_bin=bin_payload(bin=plant["a"]),
        what=scancodes.lot_payload(lot=resin_in_a, quantity=10),
        quantity="4",
        to_bin=plant["b"].code,
    )
    assert response.status_code == 302
    assert qty(plant["a"], plant["resin"], resin_in_a) == 6
    assert qty(plant["b"], plant["resin"], resin_in_a) == 4
    page = client.get(response["Location"]).content.decode()
    assert "Moved 4 kg" in page or "Moved 4 pcs" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("from_bin", "NOT-A-BIN", "This code is not one of ours"),
        ("from_bin", "", "This field is required"),
        ("quantity", "0", "greater than zero"),
        ("quantity", "-3", "greater than zero"),
        ("quantity", "abc", "Enter a number"),
        ("quantity", "11", "holds 10"),
        ("what", "RESIN-7", "tracked by lot"),
        ("to_bin", "WMS1|LOT|RESIN-7|R-001|10|", "Scan a bin label here"),
    ],
)
def test_move_bad_input_writes_nothing(plant, resin_in_a, web_as, field, value, message):
    client = web_as(plant["user"])
    data = {
        "from_bin": plant["a"].code,
        "what": "RESIN-7|R-001",
        "quantity": "4",
        "to_bin": plant["b"].code,
        field: value,
    }
    before = StockMove.objects.count()
    refused(move(client, **data), message)
    assert StockMove.objects.count() == before
    assert qty(plant["a"], plant["resin"], resin_in_a) == 10


def test_move_to_another_sites_bin_is_unknown(plant, resin_in_a, web_as):
    other = BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=SiteFactory(code="P2"), code="WH2")))
    before = StockMove.objects.count()
    response = move(
        web_as(plant["user"]), from_bin=plant["a"].code, what="RESIN-7|R-001", quantity="1", to_bin=other.code
    )
    refused(response, "This code is not one of ours")
    assert StockMove.objects.count() == before


def test_move_into_a_full_bin_is_refused(plant, resin_in_a, web_as):
    plant["b"].max_lots = 1
    plant["b"].save()
    stock_in(bin=plant["b"], item=plant["bolt"], quantity="5", user=plant["user"])
    before = StockMove.objects.count()
    response = move(
        web_as(plant["user"]), from_bin=plant["a"].code, what="RESIN-7|R-001", quantity="1", to_bin=plant["b"].code
    )
    refused(response, "already holds 1 lots")
    assert StockMove.objects.count() == before


def test_error_puts_the_cursor_back_in_the_culprit_field(plant, resin_in_a, web_as):
    response = move(
        web_as(plant["user"]), from_bin=plant["a"].code, what="garbage", quantity="1", to_bin=plant["b"].code
    )
    page = response.content.decode()
    assert 'name="what"' in page
    field = page[page.index('name="what"') - 200 : page.index('name="what"') + 200]
    assert "autofocus" in field


def test_floor_screens_need_a_login_and_the_permission(plant, client):
    assert client.get(reverse("wms:tablet-move")).status_code == 302
    quality = UserFactory(roles=["quality"], sites=[plant["site"]])
    client.force_login(quality)
    assert client.get(reverse("wms:tablet-move")).status_code == 403


# Receive ------------------------------------------------------------------------------------


def test_receive_without_notice(plant, web_as):
    client = web_as(plant["user"])
    page = client.get(reverse("wms:tablet-receive")).content.decode()
    assert "Receive without notice" in page
    response = client.post(reverse("wms:tablet-receive-free"), {"item": "BOLT-M8", "quantity": "120"})
    assert response.status_code == 302
    assert qty(plant["receiving"], plant["bolt"]) == 120
    done = client.get(response["Location"]).content.decode()
    assert "WH1-RCV-01" in done and "Put away now" in done and "QUARANTINE" not in done


def test_receive_scanning_a_lot_label_fills_lot_and_quantity(plant, web_as):
    client = web_as(plant["user"])
    response = client.post(reverse("wms:tablet-receive-free"), {"item": "WMS1|LOT|RESIN-7|SUP-77|25|2027-01-31"})
    assert response.status_code == 302
    lot = plant["resin"].lots.get(code="SUP-77")
    assert str(lot.expiry) == "2027-01-31"
    assert qty(plant["receiving"], plant["resin"], lot) == 25
    done = client.get(response["Location"]).content.decode()
    assert reverse("wms:lot-label", args=[lot.pk]) in done


def test_receive_against_a_line_needing_inspection_goes_to_quarantine(plant, web_as):
    plant["resin"].inspection_required = True
    plant["resin"].save()
    receipt = create_expected_receipt(
        site=plant["site"],
        lines=[{"item": plant["resin"], "quantity": Decimal("50")}],
        user=plant["user"],
        number="GR-1",
    )
    client = web_as(plant["user"])
    assert "GR-1" in client.get(reverse("wms:tablet-receive")).content.decode()
    line = receipt.lines.get()
    page = client.get(reverse("wms:tablet-receive-receipt", args=[receipt.pk]), {"code": "RESIN-7"})
    assert page.status_code == 302 and page["Location"].startswith(reverse("wms:tablet-receive-line", args=[line.pk]))
    response = client.post(reverse("wms:tablet-receive-line", args=[line.pk]), {"quantity": "50", "lot_code": "Q-1"})
    assert response.status_code == 302
    lot = plant["resin"].lots.get(code="Q-1")
    assert lot.status == LotStatus.QUARANTINE
    assert qty(plant["quarantine"], plant["resin"], lot) == 50
    done = client.get(response["Location"]).content.decode()
    assert "QUARANTINE" in done and "WH1-QUA-01" in done
    assert "Put away now" not in done


def test_receive_more_goes_back_to_the_same_delivery(plant, web_as):
    receipt = create_expected_receipt(
        site=plant["site"],
        lines=[{"item": plant["bolt"], "quantity": Decimal("50")}],
        user=plant["user"],
        number="GR-2",
    )
    client = web_as(plant["user"])
    line = receipt.lines.get()
    response = client.post(reverse("wms:tablet-receive-line", args=[line.pk]), {"quantity": "20"})
    assert response.status_code == 302
    done = client.get(response["Location"])
    assert done.context["receive_more_url"] == reverse("wms:tablet-receive-receipt", args=[receipt.pk])
    # the rest of the delivery received: back to the list of deliveries
    response = client.post(reverse("wms:tablet-receive-line", args=[line.pk]), {"quantity": "30"})
    assert client.get(response["Location"]).context["receive_more_url"] == reverse("wms:tablet-receive")


def test_receive_refusals_write_nothing(plant, web_as):
    receipt = create_expected_receipt(
        site=plant["site"], lines=[{"item": plant["bolt"], "quantity": Decimal("10")}], user=plant["user"]
    )
    line = receipt.lines.get()
    client = web_as(plant["user"])
    url = reverse("wms:tablet-receive-line", args=[line.pk])
    refused(client.post(url, {"quantity": "500"}), "at most")
    refused(client.post(url, {"quantity": "0"}), "greater than zero")
    refused(client.post(reverse("wms:tablet-receive-free"), {"item": "RESIN-7", "quantity": "5"}), "tracked by lot")
    refused(client.post(reverse("wms:tablet-receive-free"), {"item": "??", "quantity": "5"}), "not one of ours")
    # A lot typed for an item not tracked by lot is refused as the API refuses it, not dropped.
    refused(
        client.post(reverse("wms:tablet-receive-free"), {"item": "BOLT-M8", "quantity": "5", "lot_code": "X1"}),
        "not tracked by lot",
    )
    assert not StockMove.objects.exists()


# Put away -----------------------------------------------------------------------------------


def test_putaway_suggests_and_moves(plant, web_as):
    stock_in(bin=plant["receiving"], item=plant["bolt"], quantity="30", user=plant["user"])
    client = web_as(plant["user"])
    start = client.get(reverse("wms:tablet-putaway"), {"code": "BOLT-M8"})
    assert start.status_code == 302
    page = client.get(start["Location"])
    assert page.status_code == 200
    assert plant["a"].code in page.content.decode()
    response = client.post(start["Location"], {"quantity": "30", "to_bin": plant["b"].code})
    assert response.status_code == 302
    assert qty(plant["b"], plant["bolt"]) == 30 and qty(plant["receiving"], plant["bolt"]) == 0


def test_putaway_refusals_write_nothing(plant, web_as):
    stock_in(bin=plant["receiving"], item=plant["bolt"], quantity="30", user=plant["user"])
    client = web_as(plant["user"])
    url = client.get(reverse("wms:tablet-putaway"), {"code": "BOLT-M8"})["Location"]
    before = StockMove.objects.count()
    refused(client.post(url, {"quantity": "31", "to_bin": plant["a"].code}), "holds 30")
    refused(client.post(url, {"quantity": "5", "to_bin": "WH9-NOPE"}), "not one of ours")
    plant["a"].blocked = True
    plant["a"].save()
    refused(client.post(url, {"quantity": "5", "to_bin": plant["a"].code}), "blocked")
    assert StockMove.objects.count() == before
    empty = client.get(reverse("wms:tablet-putaway"), {"code": "RESIN-7"})
    assert empty.status_code == 400 and "Nothing of RESIN-7" in empty.content.decode()


# Pick ---------------------------------------------------------------------------------------


@pytest.fixture
def shipment(plant, resin_in_a):
    pick_list = PickList.objects.create(site=plant["site"], number="PK-1", purpose="shipment")
    line = PickLine.objects.create(
        pick_list=pick_list, sequence=1, item=plant["resin"], lot=resin_in_a, bin=plant["a"], quantity=Decimal("4")
    )
    return pick_list, line


def test_pick_line_by_line_to_done(plant, shipment, web_as):
    pick_list, line = shipment
    client = web_as(plant["user"])
    assert "PK-1" in client.get(reverse("wms:tablet-pick")).content.decode()
    url = reverse("wms:tablet-pick-list", args=[pick_list.pk])
    page = client.get(url).content.decode()
    assert "WH1-A-01" in page and "0 of 1 lines done" in page
    response = client.post(url, {"bin": plant["a"].code, "lot": "RESIN-7|R-001", "quantity": "4", "confirm": ""})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == "picked"
    assert qty(plant["a"], plant["resin"], line.lot) == 6
    assert "Pick list done" in client.get(url).content.decode()


def test_pick_short(plant, shipment, web_as):
    pick_list, line = shipment
    url = reverse("wms:tablet-pick-list", args=[pick_list.pk])
    response = web_as(plant["user"]).post(url, {"bin": plant["a"].code, "quantity": "0", "short": "1"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == "short" and line.short_quantity == 4


def test_pick_refusals_write_nothing(plant, shipment, web_as):
    pick_list, line = shipment
    client = web_as(plant["user"])
    url = reverse("wms:tablet-pick-list", args=[pick_list.pk])
    good = {"bin": plant["a"].code, "lot": "RESIN-7|R-001", "quantity": "4", "confirm": ""}
    before = StockMove.objects.count()
    refused(client.post(url, {**good, "bin": plant["b"].code}), "Wrong bin")
    refused(client.post(url, {**good, "quantity": "3"}), "Report short")
    refused(client.post(url, {**good, "quantity": "-1"}), "cannot be negative")
    refused(client.post(url, {**good, "lot": ""}), "Scan the lot label")
    line.lot.status = LotStatus.ON_HOLD
    line.lot.save()
    refused(client.post(url, {**good}), "On hold")
    assert StockMove.objects.count() == before
    line.refresh_from_db()
    assert line.status == "open"


# Count --------------------------------------------------------------------------------------


@pytest.fixture
def count_task(plant):
    stock_in(bin=plant["a"], item=plant["bolt"], quantity="100", user=plant["user"])
    return CountTask.objects.create(
        site=plant["site"], bin=plant["a"], item=plant["bolt"], due_date=timezone.localdate() - timedelta(days=1)
    )


def test_count_is_blind_and_books_a_small_difference(plant, count_task, web_as):
    client = web_as(plant["user"])
    start = client.get(reverse("wms:tablet-count"), {"code": plant["a"].code})
    assert start.status_code == 302
    page = client.get(start["Location"]).content.decode()
    screen = page[page.index("<main") :]
    assert "BOLT-M8" in screen and not re.search(r"\b100\b", screen)  # the system quantity stays hidden
    url = reverse("wms:tablet-count-task", args=[count_task.pk])
    response = client.post(url, {"bin": plant["a"].code, "counted_quantity": "99"})
    assert response.status_code == 302
    assert "Count booked" in client.get(url).content.decode()
    assert qty(plant["a"], plant["bolt"]) == 99


def test_count_wrong_bin_and_big_difference(plant, count_task, web_as):
    client = web_as(plant["user"])
    url = reverse("wms:tablet-count-task", args=[count_task.pk])
    refused(client.post(url, {"bin": plant["b"].code, "counted_quantity": "100"}), "Wrong bin")
    refused(client.post(url, {"bin": plant["a"].code, "counted_quantity": "-1"}), "cannot be negative")
    response = client.post(url, {"bin": plant["a"].code, "counted_quantity": "40"})
    refused(response, "say why")
    assert 'name="reason"' in response.content.decode()
    response = client.post(url, {"bin": plant["a"].code, "counted_quantity": "40", "reason": "pallet broken"})
    assert response.status_code == 302
    assert "Waiting for approval" in client.get(url).content.decode()
    assert qty(plant["a"], plant["bolt"]) == 100
    assert StockMove.objects.filter(kind="adjustment").count() == 0


@pytest.mark.parametrize(
    "query", [{"item": "abc", "bin": "1"}, {"item": "1", "bin": "1.5"}, {"item": "1", "bin": "1", "lot": "x"}]
)
def test_putaway_of_a_garbled_stock_link_is_not_found(plant, web_as, query):
    response = web_as(plant["user"]).get(reverse("wms:tablet-putaway-stock"), query)
    assert response.status_code == 404


# Typed lot codes ------------------------------------------------------------------------------


def test_pick_takes_the_lot_code_as_printed(plant, shipment, web_as):
    pick_list, line = shipment
    url = reverse("wms:tablet-pick-list", args=[pick_list.pk])
    client = web_as(plant["user"])
    assert "the lot code as printed" in client.get(url).content.decode()
    response = client.post(url, {"bin": plant["a"].code, "lot": "R-001", "quantity": "4", "confirm": ""})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.status == "picked"


def test_move_takes_the_code_of_a_lot_in_the_from_bin(plant, resin_in_a, web_as):
    client = web_as(plant["user"])
    good = {"from_bin": plant["a"].code, "what": "R-001", "quantity": "3", "to_bin": plant["b"].code}
    assert move(client, **good).status_code == 302
    assert qty(plant["b"], plant["resin"], resin_in_a) == 3
    # from a bin that does not hold the lot, the plain code names nothing
    refused(move(client, **{**good, "from_bin": plant["receiving"].code}), "not one of ours")


def test_a_lot_code_two_items_share_needs_the_label(plant, resin_in_a, web_as):
    hardener = ItemFactory(code="HARD-1", tracking="lot")
    twin = LotFactory(item=hardener, code="R-001", site=plant["site"])
    stock_in(bin=plant["a"], item=hardener, lot=twin, quantity="5", user=plant["user"])
    client = web_as(plant["user"])
    good = {"from_bin": plant["a"].code, "what": "R-001", "quantity": "1", "to_bin": plant["b"].code}
    refused(move(client, **good), "ITEM|LOT")
    assert move(client, **{**good, "what": "HARD-1|R-001"}).status_code == 302
    assert qty(plant["b"], hardener, twin) == 1


def test_count_and_putaway_start_from_a_typed_lot_code(plant, resin_in_a, web_as):
    lot = LotFactory(item=plant["resin"], code="R-IN", site=plant["site"])
    stock_in(bin=plant["receiving"], item=plant["resin"], lot=lot, quantity="6", user=plant["user"])
    task = CountTask.objects.create(
        site=plant["site"], bin=plant["a"], item=plant["resin"], lot=resin_in_a, due_date=timezone.localdate()
    )
    client = web_as(plant["user"])
    start = client.get(reverse("wms:tablet-count"), {"code": "R-001"})
    assert start.status_code == 302 and start["Location"].startswith(reverse("wms:tablet-count-task", args=[task.pk]))
    putaway = client.get(reverse("wms:tablet-putaway"), {"code": "R-IN"})
    assert putaway.status_code == 302 and f"lot={lot.pk}" in putaway["Location"]
