from decimal import Decimal

import pytest

from tests.factories import ItemFactory, PartnerFactory, SiteFactory, UserFactory, gram, kg
from tests.wms.factories import BinFactory, LotFactory, stock_in, warehouse_layout
from wms.models import ExpectedReceipt, Lot, LotStatus, PickList, StockMove, StockQuant

pytestmark = pytest.mark.django_db

RECEIPTS = "/api/v1/wms/expected-receipts/"
PICK_LISTS = "/api/v1/wms/pick-lists/"


def create_receipt(client, layout, item, **extra):
    body = {"site": layout.site.code, "lines": [{"item": item.code, "quantity": "10"}], **extra}
    response = client.post(RECEIPTS, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_list_filter_and_retrieve_expected_receipts(api_as):
    layout = warehouse_layout(SiteFactory(code="SZ"))
    PartnerFactory(code="ACME")
    gram()
    item = ItemFactory(code="CMP-100", base_unit=kg())
    client = api_as(layout.user)

    created = create_receipt(
        client,
        layout,
        item,
        supplier="ACME",
        reference="PO-7",
        lines=[{"item": "CMP-100", "quantity": "2500", "unit": "g", "over_tolerance_pct": "0"}],
    )
    kg_g = created["lines"][0]
    assert created["number"] == "GR-SZ-000001" and created["site"] == "SZ" and created["supplier"] == "ACME"
    assert created["status"] == "open"
    assert kg_g["item"] == "CMP-100" and kg_g["quantity"] == "2.500000" and kg_g["base_unit"] == "kg"
    assert kg_g["line_no"] == 1 and kg_g["over_tolerance_pct"] == "0.00"

    other = warehouse_layout()
    create_receipt(api_as(other.user), other, ItemFactory())
    listed = client.get(RECEIPTS, {"site": "SZ", "status": "open", "supplier": "ACME"}).json()
    assert listed["count"] == 1 and listed["results"][0]["number"] == "GR-SZ-000001"
    assert client.get(f"{RECEIPTS}{created['id']}/").json()["lines"][0]["item"] == "CMP-100"


def test_bad_receipt_input_is_400_with_field_errors_and_nothing_written(api_as):
    layout = warehouse_layout()
    other = warehouse_layout()
    item = ItemFactory(code="OK-1")
    ItemFactory(code="OLD-1", active=False)
    client = api_as(layout.user)

    cases = [
        ({"lines": [{"item": "NOPE", "quantity": "1"}]}, "lines"),
        ({"lines": [{"item": "OK-1", "quantity": "0"}]}, "lines"),
        ({"lines": [{"item": "OK-1", "quantity": "-5"}]}, "lines"),
        ({"lines": [{"item": "OK-1", "quantity": "abc"}]}, "lines"),
        ({"lines": [{"item": "OLD-1", "quantity": "1"}]}, "lines"),
        ({"lines": [{"item": "OK-1", "quantity": "1", "unit": "furlong"}]}, "lines"),
        ({"lines": [{"item": "OK-1", "quantity": "1", "unit": "kg"}]}, "unit"),  # pcs item in kg
        ({"lines": []}, "lines"),
        ({"site": other.site.code, "lines": [{"item": "OK-1", "quantity": "1"}]}, "site"),
        ({"supplier": "NOBODY", "lines": [{"item": "OK-1", "quantity": "1"}]}, "supplier"),
    ]
    kg()
    for extra, field in cases:
        body = {"site": layout.site.code, **extra}
        response = client.post(RECEIPTS, body, format="json")
        assert response.status_code == 400, (extra, response.json())
        assert field in response.json(), (extra, response.json())
    assert ExpectedReceipt.objects.count() == 0
    assert item.active

    create_receipt(client, layout, item, number="GR-DUP")
    again = client.post(
        RECEIPTS,
        {"site": layout.site.code, "number": "GR-DUP", "lines": [{"item": "OK-1", "quantity": "1"}]},
        format="json",
    )
    assert again.status_code == 400 and again.json()["number"] == ["Receipt GR-DUP already exists."]
    assert ExpectedReceipt.objects.count() == 1


def test_receive_over_tolerance_is_409_and_within_it_completes_the_receipt(api_as):
    layout = warehouse_layout()
    item = ItemFactory(code="CMP-200")
    client = api_as(layout.user)
    receipt = create_receipt(
        client, layout, item, lines=[{"item": "CMP-200", "quantity": "10", "over_tolerance_pct": "10"}]
    )
    url = f"{RECEIPTS}{receipt['id']}/receive/"

    refused = client.post(url, {"line_no": 1, "quantity": "11.5"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "over_receipt"
    assert not StockMove.objects.exists()

    done = client.post(url, {"line_no": 1, "quantity": "11"}, format="json")
    assert done.status_code == 201, done.json()
    body = done.json()
    assert body["status"] == "received" and body["lines"][0]["received_quantity"] == "11.000000"
    assert body["move"]["kind"] == "receipt" and body["move"]["to_bin"] == layout.receiving.code
    assert body["move"]["quantity"] == "11.000000"


def test_receive_inspection_item_into_quarantine_with_lot_attributes(api_as):
    layout = warehouse_layout()
    item = ItemFactory(code="RES-1", tracking="lot", inspection_required=True)
    client = api_as(layout.user)
    receipt = create_receipt(client, layout, item)

    response = client.post(
        f"{RECEIPTS}{receipt['id']}/receive/",
        {"line_no": 1, "quantity": "4", "lot": "B-77", "supplier_lot": "S-9", "expiry": "2030-01-31"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["move"]["to_bin"] == layout.quarantine.code
    lot = Lot.objects.get(item=item, code="B-77")
    assert lot.status == LotStatus.QUARANTINE and lot.supplier_lot == "S-9" and str(lot.expiry) == "2030-01-31"


def test_receive_bad_input_is_400_and_other_sites_receipt_is_404(api_as):
    layout = warehouse_layout()
    other = warehouse_layout()
    item = ItemFactory(code="CMP-300", tracking="lot")
    receipt = create_receipt(api_as(layout.user), layout, item)
    url = f"{RECEIPTS}{receipt['id']}/receive/"
    client = api_as(layout.user)

    for body, field in (
        ({"line_no": 9, "quantity": "1", "lot": "L1"}, "line_no"),
        ({"line_no": 1, "quantity": "0", "lot": "L1"}, "quantity"),
        ({"line_no": 1, "quantity": "1"}, "lot"),
        ({"line_no": 1, "quantity": "1", "lot": "L1", "to_bin": "NO-SUCH-BIN"}, "to_bin"),
        ({"line_no": 1, "quantity": "1", "lot": "L1", "to_bin": other.raw.code}, "to_bin"),
        ({"line_no": 1, "quantity": "1", "lot": "L1", "unit": "nope"}, "unit"),
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (body, response.json())
        assert field in response.json(), (body, response.json())
    assert not StockMove.objects.exists()

    outsider = api_as(other.user)
    assert outsider.get(f"{RECEIPTS}{receipt['id']}/").status_code == 404
    assert outsider.post(url, {"line_no": 1, "quantity": "1", "lot": "L1"}, format="json").status_code == 404
    assert outsider.post(f"{RECEIPTS}{receipt['id']}/cancel/").status_code == 404


def test_close_and_cancel_receipts(api_as):
    layout = warehouse_layout()
    item = ItemFactory()
    client = api_as(layout.user)
    first = create_receipt(client, layout, item)
    second = create_receipt(client, layout, item)

    assert client.post(f"{RECEIPTS}{first['id']}/close/").json()["code"] == "invalid_transition"
    cancelled = client.post(f"{RECEIPTS}{first['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    client.post(f"{RECEIPTS}{second['id']}/receive/", {"line_no": 1, "quantity": "4"}, format="json")
    closed = client.post(f"{RECEIPTS}{second['id']}/close/")
    assert closed.status_code == 200 and closed.json()["status"] == "received"


def test_roles_without_rights_cannot_receive(api_as):
    layout = warehouse_layout()
    planner = UserFactory(roles=["planner"], sites=[layout.site])
    receipt = create_receipt(api_as(planner), layout, ItemFactory())
    response = api_as(planner).post(
        f"{RECEIPTS}{receipt['id']}/receive/", {"line_no": 1, "quantity": "1"}, format="json"
    )
    assert response.status_code == 403
    maintenance = UserFactory(roles=["maintenance"], sites=[layout.site])
    assert api_as(maintenance).post(RECEIPTS, {}, format="json").status_code == 403


def test_putaway_suggestions_and_confirmation(api_as):
    layout = warehouse_layout()
    item = ItemFactory(code="CMP-400", abc_class="A")
    near = BinFactory(zone=layout.raw_zone, distance_rank=1)
    stock_in(bin=layout.receiving, item=item, quantity=10, user=layout.user)
    client = api_as(layout.user)

    response = client.post(
        "/api/v1/wms/putaway-suggestions/",
        {"site": layout.site.code, "item": "CMP-400", "quantity": "10", "from_bin": layout.receiving.code},
        format="json",
    )
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert results[0]["bin"] == near.code and results[0]["reasons"] and results[0]["zone_kind"] == "raw"
    assert layout.receiving.code not in [r["bin"] for r in results]

    moved = client.post(
        "/api/v1/wms/putaway/",
        {
            "item": "CMP-400",
            "quantity": "10",
            "from_bin": layout.receiving.code,
            "to_bin": layout.raw.code,
            "suggested_bin": near.code,
        },
        format="json",
    )
    assert moved.status_code == 201, moved.json()
    assert moved.json()["reference"] == "PUTAWAY" and "Override" in moved.json()["reason"]
    assert StockQuant.objects.get(bin=layout.raw, item=item).quantity == Decimal("10")


def test_putaway_bad_input_is_400(api_as):
    layout = warehouse_layout()
    ItemFactory(code="CMP-500", tracking="lot")
    client = api_as(layout.user)
    for body, field in (
        ({"site": layout.site.code, "item": "NOPE", "quantity": "1"}, "item"),
        ({"site": layout.site.code, "item": "CMP-500", "quantity": "-1"}, "quantity"),
        ({"site": layout.site.code, "item": "CMP-500", "quantity": "1", "lot": "NO-LOT"}, "lot"),
        ({"site": "ELSEWHERE", "item": "CMP-500", "quantity": "1"}, "site"),
    ):
        response = client.post("/api/v1/wms/putaway-suggestions/", body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    response = client.post(
        "/api/v1/wms/putaway/",
        {"item": "CMP-500", "quantity": "1", "from_bin": layout.receiving.code, "to_bin": "NOPE"},
        format="json",
    )
    assert response.status_code == 400 and "to_bin" in response.json()
    assert not StockMove.objects.exists()


def test_pick_list_create_pick_and_short(api_as):
    layout = warehouse_layout(SiteFactory(code="SZ"))
    item = ItemFactory(code="FG-1", tracking="lot")
    lot = LotFactory(item=item, code="LOT-A", site=layout.site)
    stock_in(bin=layout.raw, item=item, quantity=6, lot=lot, user=layout.user)
    client = api_as(layout.user)

    created = client.post(
        PICK_LISTS,
        {"site": "SZ", "purpose": "shipment", "reference": "SO-1", "lines": [{"item": "FG-1", "quantity": "8"}]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["number"] == "PL-SZ-000001" and body["status"] == "open"
    assert [(ln["sequence"], ln["bin"], ln["lot"], ln["quantity"], ln["status"]) for ln in body["lines"]] == [
        (1, layout.raw.code, "LOT-A", "6.000000", "open"),
        (2, None, None, "2.000000", "short"),
    ]
    url = f"{PICK_LISTS}{body['id']}/pick/"

    wrong = client.post(
        url, {"sequence": 1, "picked_quantity": "6", "scanned_bin": layout.receiving.code}, format="json"
    )
    assert wrong.status_code == 400 and "scanned_bin" in wrong.json()
    assert client.post(url, {"sequence": 7, "picked_quantity": "1"}, format="json").status_code == 400
    assert client.post(url, {"sequence": 1, "picked_quantity": "-1"}, format="json").status_code == 400
    assert not StockMove.objects.filter(kind="shipment").exists()

    picked = client.post(
        url,
        {"sequence": 1, "picked_quantity": "5", "scanned_bin": layout.raw.code, "scanned_lot": "LOT-A"},
        format="json",
    )
    assert picked.status_code == 200, picked.json()
    assert picked.json()["line"]["status"] == "short" and picked.json()["line"]["short_quantity"] == "1.000000"
    assert picked.json()["status"] == "done"
    assert client.get(PICK_LISTS, {"site": "SZ", "status": "done"}).json()["count"] == 1


def test_pick_list_bad_input_and_other_site(api_as):
    layout = warehouse_layout()
    other = warehouse_layout()
    ItemFactory(code="FG-2")
    ItemFactory(code="OLD-2", active=False)
    PickList.objects.create(site=layout.site, number="PL-DUP", purpose="shipment")
    client = api_as(layout.user)
    for body, field in (
        ({"purpose": "shipment", "lines": [{"item": "OLD-2", "quantity": "1"}]}, "lines"),
        ({"purpose": "shipment", "number": "PL-DUP", "lines": [{"item": "FG-2", "quantity": "1"}]}, "number"),
        ({"purpose": "shipment", "lines": [{"item": "NOPE", "quantity": "1"}]}, "lines"),
        ({"purpose": "shipment", "lines": [{"item": "FG-2", "quantity": "0"}]}, "lines"),
        ({"purpose": "shipment", "lines": []}, "lines"),
        ({"purpose": "party", "lines": [{"item": "FG-2", "quantity": "1"}]}, "purpose"),
        ({"purpose": "staging", "lines": [{"item": "FG-2", "quantity": "1"}]}, "destination_bin"),
        (
            {"purpose": "staging", "destination_bin": other.raw.code, "lines": [{"item": "FG-2", "quantity": "1"}]},
            "destination_bin",
        ),
    ):
        response = client.post(PICK_LISTS, {"site": layout.site.code, **body}, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.json())
    assert PickList.objects.count() == 1

    mine = client.post(
        PICK_LISTS,
        {"site": layout.site.code, "purpose": "shipment", "lines": [{"item": "FG-2", "quantity": "1"}]},
        format="json",
    ).json()
    outsider = api_as(other.user)
    assert outsider.get(f"{PICK_LISTS}{mine['id']}/").status_code == 404
    assert outsider.post(f"{PICK_LISTS}{mine['id']}/cancel/").status_code == 404
    assert client.post(f"{PICK_LISTS}{mine['id']}/cancel/").json()["status"] == "cancelled"
