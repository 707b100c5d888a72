"""The warehouse REST API: bins, lots, stock and the moves ledger as outside systems use them."""

import datetime
from decimal import Decimal

import pytest

from tests.factories import ItemFactory, SiteFactory, UnitConversionFactory, UserFactory, gram, kg
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import Bin, Lot, LotStatus, StockMove, StockQuant

pytestmark = pytest.mark.django_db

MOVES = "/api/v1/wms/moves/"


@pytest.fixture
def plant():
    site = SiteFactory(code="P1")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WH1"), kind="raw", code="RAW")
    return {
        "site": site,
        "bin_a": BinFactory(zone=zone, aisle="A", rack="01", level="1", position="01"),
        "bin_b": BinFactory(zone=zone, aisle="A", rack="01", level="1", position="02"),
        "user": UserFactory(roles=["warehouse"], sites=[site]),
    }


def on_hand(item, bin_, lot=None):
    quant = StockQuant.objects.filter(item=item, bin=bin_, lot=lot).first()
    return quant.quantity if quant else Decimal(0)


def test_receipt_into_a_new_lot_creates_it_and_answers_the_move(plant, api_as):
    item = ItemFactory(code="CMP-100", tracking="lot")
    response = api_as(plant["user"]).post(
        MOVES,
        {
            "kind": "receipt",
            "item": "CMP-100",
            "lot": "L-2024-01",
            "to_bin": plant["bin_a"].code,
            "quantity": "25.5" if item.base_unit.decimals else "25",
            "reference": "PO-1",
            "supplier_lot": "SUP-9",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] and body["kind"] == "receipt" and body["item"] == "CMP-100"
    assert body["lot"] == "L-2024-01" and body["to_bin"] == plant["bin_a"].code and body["from_bin"] is None
    assert Decimal(body["quantity"]) == Decimal("25") and isinstance(body["quantity"], str)
    lot = Lot.objects.get(item=item, code="L-2024-01")
    assert lot.supplier_lot == "SUP-9" and lot.site == plant["site"]
    assert on_hand(item, plant["bin_a"], lot) == Decimal("25")


def test_quantity_in_another_unit_is_booked_in_base_unit(plant, api_as):
    item = ItemFactory(code="RES-1", base_unit=kg())
    gram()
    response = api_as(plant["user"]).post(
        MOVES,
        {"kind": "receipt", "item": "RES-1", "to_bin": plant["bin_a"].code, "quantity": 2500, "unit": "g"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Decimal(response.json()["quantity"]) == Decimal("2.5") and response.json()["unit"] == "kg"
    assert Decimal(response.json()["entered_quantity"]) == Decimal("2500")
    assert on_hand(item, plant["bin_a"]) == Decimal("2.5")


def test_item_conversion_across_dimensions_applies(plant, api_as):
    item = ItemFactory(code="SCR-1")
    UnitConversionFactory(item=item, unit=kg(), factor=Decimal("4"))  # 1 kg of these screws = 4 pcs
    response = api_as(plant["user"]).post(
        MOVES, {"kind": "receipt", "item": "SCR-1", "to_bin": plant["bin_a"].code, "quantity": "2", "unit": "kg"}
    )
    assert response.status_code == 201
    assert on_hand(item, plant["bin_a"]) == Decimal("8")


def test_unit_that_does_not_convert_is_a_unit_field_error(plant, api_as):
    ItemFactory(code="BOLT")
    kg()
    response = api_as(plant["user"]).post(
        MOVES, {"kind": "receipt", "item": "BOLT", "to_bin": plant["bin_a"].code, "quantity": "1", "unit": "kg"}
    )
    assert response.status_code == 400 and "unit" in response.json()


def test_issue_beyond_stock_is_409_insufficient_stock_and_nothing_moves(plant, api_as):
    item = ItemFactory(code="CMP-200")
    stock_in(bin=plant["bin_a"], item=item, quantity=5)
    response = api_as(plant["user"]).post(
        MOVES, {"kind": "issue", "item": "CMP-200", "from_bin": plant["bin_a"].code, "quantity": "6"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_stock" and response.json()["detail"]
    assert on_hand(item, plant["bin_a"]) == Decimal("5")
    assert StockMove.objects.filter(kind="issue").count() == 0


@pytest.mark.parametrize("status", [LotStatus.ON_HOLD, LotStatus.QUARANTINE, LotStatus.REJECTED])
def test_issue_from_an_unusable_lot_is_409_lot_not_available(plant, api_as, status):
    lot = LotFactory(site=plant["site"], code="HOLD-1")
    stock_in(bin=plant["bin_a"], item=lot.item, quantity=10, lot=lot)
    Lot.objects.filter(pk=lot.pk).update(status=status)
    response = api_as(plant["user"]).post(
        MOVES,
        {"kind": "issue", "item": lot.item.code, "lot": "HOLD-1", "from_bin": plant["bin_a"].code, "quantity": "1"},
    )
    assert response.status_code == 409 and response.json()["code"] == "lot_not_available"
    assert on_hand(lot.item, plant["bin_a"], lot) == Decimal("10")


def test_expired_lot_cannot_be_shipped(plant, api_as):
    import datetime

    lot = LotFactory(site=plant["site"], code="OLD-1", expiry=datetime.date(2020, 1, 1))
    stock_in(bin=plant["bin_a"], item=lot.item, quantity=3, lot=lot)
    response = api_as(plant["user"]).post(
        MOVES,
        {"kind": "shipment", "item": lot.item.code, "lot": "OLD-1", "from_bin": plant["bin_a"].code, "quantity": "1"},
    )
    assert response.status_code == 409 and response.json()["code"] == "lot_not_available"


@pytest.mark.parametrize("quantity", ["abc", "NaN", "Infinity", "1e400", "0", "-3", "", None, True, "1,5"])
def test_malformed_quantity_is_a_400_field_error(plant, api_as, quantity):
    ItemFactory(code="CMP-300")
    response = api_as(plant["user"]).post(
        MOVES,
        {"kind": "receipt", "item": "CMP-300", "to_bin": plant["bin_a"].code, "quantity": quantity},
        format="json",
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert StockMove.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "receipt", "item": "NOPE", "to_bin": "WH1-A-01-1-01", "quantity": "1"}, "item"),
        ({"kind": "receipt", "item": "CMP-400", "to_bin": "WH9-X", "quantity": "1"}, "to_bin"),
        ({"kind": "receipt", "item": "CMP-400", "to_bin": "WH1-A-01-1-01", "quantity": "1", "unit": "zz"}, "unit"),
        ({"kind": "teleport", "item": "CMP-400", "to_bin": "WH1-A-01-1-01", "quantity": "1"}, "kind"),
        ({"kind": "issue", "item": "CMP-400", "to_bin": "WH1-A-01-1-01", "quantity": "1"}, "from_bin"),
        ({"kind": "transfer", "item": "CMP-400", "from_bin": "WH1-A-01-1-01", "quantity": "1"}, "to_bin"),
        ({"item": "CMP-400", "to_bin": "WH1-A-01-1-01", "quantity": "1"}, "kind"),
    ],
)
def test_malformed_moves_are_400_with_the_field_named(plant, api_as, body, field):
    ItemFactory(code="CMP-400")
    response = api_as(plant["user"]).post(MOVES, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_lot_item_requires_a_lot_and_unknown_lot_on_issue_is_400(plant, api_as):
    ItemFactory(code="LOTTED", tracking="lot")
    client = api_as(plant["user"])
    missing = client.post(MOVES, {"kind": "receipt", "item": "LOTTED", "to_bin": plant["bin_a"].code, "quantity": 1})
    unknown = client.post(
        MOVES, {"kind": "issue", "item": "LOTTED", "lot": "NOPE", "from_bin": plant["bin_a"].code, "quantity": 1}
    )
    assert missing.status_code == 400 and "lot" in missing.json()
    assert unknown.status_code == 400 and "lot" in unknown.json()


def test_another_sites_bin_is_an_unknown_code(plant, api_as):
    other = BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=SiteFactory(code="P2"), code="WH2")))
    ItemFactory(code="CMP-500")
    response = api_as(plant["user"]).post(
        MOVES, {"kind": "receipt", "item": "CMP-500", "to_bin": other.code, "quantity": "1"}
    )
    assert response.status_code == 400 and "to_bin" in response.json()
    assert "Unknown code" in response.json()["to_bin"][0]


def test_moves_are_never_edited_or_deleted(plant, api_as):
    move = stock_in(bin=plant["bin_a"], item=ItemFactory(), quantity=1, user=plant["user"])
    client = api_as(plant["user"])
    url = f"{MOVES}{move.pk}/"
    assert client.get(url).status_code == 200
    assert client.put(url, {"quantity": "5"}).status_code == 405
    assert client.patch(url, {"quantity": "5"}).status_code == 405
    assert client.delete(url).status_code == 405
    assert StockMove.objects.get(pk=move.pk).quantity == Decimal("1")


def test_move_list_filters_by_codes_and_hides_other_sites(plant, api_as):
    item = ItemFactory(code="CMP-600")
    stock_in(bin=plant["bin_a"], item=item, quantity=4, user=plant["user"])
    other_bin = BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=SiteFactory(code="P2"), code="WH2")))
    stock_in(bin=other_bin, item=item, quantity=9)
    client = api_as(plant["user"])
    client.post(
        MOVES,
        {
            "kind": "transfer",
            "item": "CMP-600",
            "from_bin": plant["bin_a"].code,
            "to_bin": plant["bin_b"].code,
            "quantity": "1",
            "reference": "PUT-7",
        },
    )

    everything = client.get(MOVES).json()
    assert everything["count"] == 2 and {"count", "next", "results"} <= set(everything)
    assert [m["kind"] for m in client.get(MOVES, {"kind": "transfer"}).json()["results"]] == ["transfer"]
    assert client.get(MOVES, {"bin": plant["bin_b"].code}).json()["count"] == 1
    assert client.get(MOVES, {"bin": plant["bin_a"].code}).json()["count"] == 2
    assert client.get(MOVES, {"reference": "PUT-7"}).json()["count"] == 1
    assert client.get(MOVES, {"site": "P1", "item": "CMP-600"}).json()["count"] == 2
    assert client.get(MOVES, {"date_from": "2000-01-01", "date_to": "2000-12-31"}).json()["count"] == 0
    other_move = StockMove.objects.get(to_bin=other_bin)
    assert client.get(f"{MOVES}{other_move.pk}/").status_code == 404


def test_move_times_with_any_offset_filter_the_same_instant_and_impossible_ones_are_400(plant, api_as):
    """PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows: they used to answer 500."""
    move = stock_in(bin=plant["bin_a"], item=ItemFactory(code="CMP-610"), quantity=3, user=plant["user"])
    client = api_as(plant["user"])
    far_east = datetime.timezone(datetime.timedelta(hours=23, minutes=30))
    hour_before = (move.created_at - datetime.timedelta(hours=1)).astimezone(far_east).isoformat()

    assert client.get(MOVES, {"created_after": hour_before}).json()["count"] == 1
    assert client.get(MOVES, {"created_before": hour_before}).json()["count"] == 0
    response = client.get(MOVES, {"created_after": "0001-01-01T00:00:00+23:00"})
    assert response.status_code == 400 and "created_after" in response.json()


def test_stock_is_read_only_and_filterable_by_item_lot_bin(plant, api_as):
    lot_item = ItemFactory(code="CMP-700", tracking="lot")
    lot = LotFactory(item=lot_item, site=plant["site"], code="L7")
    stock_in(bin=plant["bin_a"], item=lot_item, quantity=3, lot=lot)
    stock_in(bin=plant["bin_b"], item=ItemFactory(code="CMP-701"), quantity=8)
    client = api_as(plant["user"])

    rows = client.get("/api/v1/wms/stock/", {"item": "CMP-700"}).json()["results"]
    assert rows == [
        {
            **rows[0],
            "item": "CMP-700",
            "lot": "L7",
            "bin": plant["bin_a"].code,
            "quantity": "3.000000",
            "site": "P1",
            "zone_kind": "raw",
        }
    ]
    assert client.get("/api/v1/wms/stock/", {"lot": "L7", "item": "CMP-700"}).json()["count"] == 1
    assert client.get("/api/v1/wms/stock/", {"bin": plant["bin_b"].code}).json()["results"][0]["item"] == "CMP-701"
    assert client.get("/api/v1/wms/stock/", {"zone_kind": "raw", "warehouse": "WH1"}).json()["count"] == 2
    assert client.get("/api/v1/wms/stock/", {"zone_kind": "cold"}).json()["count"] == 0
    assert client.post("/api/v1/wms/stock/", {"item": "CMP-700"}).status_code == 405


def test_on_hand_totals_an_item_across_bins_and_lots(plant, api_as):
    item = ItemFactory(code="CMP-800", tracking="lot")
    for code, bin_ in (("A", plant["bin_a"]), ("B", plant["bin_b"])):
        stock_in(bin=bin_, item=item, quantity=5, lot=LotFactory(item=item, site=plant["site"], code=code))
    body = api_as(plant["user"]).get("/api/v1/wms/on-hand/", {"item": "CMP-800"}).json()
    assert body["count"] == 1
    assert Decimal(body["results"][0]["quantity"]) == 10 and body["results"][0]["lots"] == 2


def test_bins_are_created_with_their_location_code_and_can_be_blocked(plant, api_as):
    admin = UserFactory(roles=["admin"])
    client = api_as(admin)
    response = client.post(
        "/api/v1/wms/bins/",
        {"warehouse": "WH1", "zone": "RAW", "aisle": "b", "rack": "02", "level": "3", "position": "04"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "WH1-B-02-3-04" and body["site"] == "P1" and body["zone_kind"] == "raw"
    assert body["blocked"] is False
    again = client.post(
        "/api/v1/wms/bins/",
        {"warehouse": "WH1", "zone": "RAW", "aisle": "B", "rack": "02", "level": "3", "position": "04"},
    )
    assert again.status_code == 400 and "code" in again.json()

    blocked = client.post(f"/api/v1/wms/bins/{body['id']}/block/", {"reason": "rack damaged"})
    assert blocked.status_code == 200 and blocked.json()["blocked"] is True
    item = ItemFactory(code="CMP-900")
    refused = client.post(MOVES, {"kind": "receipt", "item": "CMP-900", "to_bin": "WH1-B-02-3-04", "quantity": "1"})
    assert refused.status_code == 409 and refused.json()["code"] == "bin_blocked"
    assert client.post(f"/api/v1/wms/bins/{body['id']}/unblock/", {}).json()["blocked"] is False
    assert (
        client.post(
            MOVES, {"kind": "receipt", "item": item.code, "to_bin": "WH1-B-02-3-04", "quantity": "1"}
        ).status_code
        == 201
    )


def test_bin_list_filters_and_scopes(plant, api_as):
    BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=SiteFactory(code="P2"), code="WH2")))
    client = api_as(plant["user"])
    body = client.get("/api/v1/wms/bins/").json()
    assert body["count"] == 2 and {row["site"] for row in body["results"]} == {"P1"}
    row = body["results"][0]
    assert {"id", "code", "site", "warehouse", "zone_kind", "blocked"} <= set(row)
    assert client.get("/api/v1/wms/bins/", {"zone_kind": "raw", "site": "P1"}).json()["count"] == 2
    assert client.get("/api/v1/wms/bins/", {"code": plant["bin_b"].code}).json()["count"] == 1
    other = Bin.objects.get(warehouse__code="WH2")
    assert client.get(f"/api/v1/wms/bins/{other.pk}/").status_code == 404


def test_warehouse_and_zone_are_created_through_the_api(api_as):
    SiteFactory(code="P3")
    client = api_as(UserFactory(roles=["admin"]))
    warehouse = client.post("/api/v1/wms/warehouses/", {"code": "WH3", "name": "Main", "site": "P3"})
    assert warehouse.status_code == 201, warehouse.json()
    zone = client.post(
        "/api/v1/wms/zones/",
        {"warehouse": "WH3", "code": "COLD", "name": "Cold room", "kind": "cold", "temperature_class": "cold"},
        format="json",
    )
    assert zone.status_code == 201, zone.json()
    assert zone.json()["site"] == "P3" and zone.json()["kind"] == "cold"
    duplicate = client.post("/api/v1/wms/warehouses/", {"code": "WH3", "name": "Again", "site": "P3"})
    assert duplicate.status_code == 400


def test_lot_status_changes_through_the_state_machine(plant, api_as):
    lot = LotFactory(site=plant["site"], code="QC-1", status=LotStatus.QUARANTINE)
    quality = UserFactory(roles=["quality"], sites=[plant["site"]])
    client = api_as(quality)
    url = f"/api/v1/wms/lots/{lot.pk}/status/"

    released = client.post(
        url, {"status": "available", "reason": "inspection passed", "password": "correct-horse-battery"}
    )
    assert released.status_code == 200 and released.json()["status"] == "available"
    assert client.post(url, {"status": "consumed"}).status_code == 200
    refused = client.post(url, {"status": "quarantine"})
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    assert client.post(url, {"status": "melted"}).status_code == 400
    lot.refresh_from_db()
    assert lot.status == LotStatus.CONSUMED
    history = client.get(f"/api/v1/wms/lots/{lot.pk}/history/").json()
    assert [entry["status"] for entry in history[:2]] == ["consumed", "available"]
    assert history[1]["user"] == quality.username and history[1]["status_reason"] == "inspection passed"


def test_lot_list_shows_lot_fields_and_scopes_by_site(plant, api_as):
    LotFactory(site=plant["site"], code="MINE", item=ItemFactory(code="CMP-L", tracking="lot"))
    LotFactory(site=SiteFactory(code="P2"), code="THEIRS")
    client = api_as(plant["user"])
    body = client.get("/api/v1/wms/lots/").json()
    assert [row["code"] for row in body["results"]] == ["MINE"]
    row = body["results"][0]
    assert {"id", "code", "item", "status", "expiry", "supplier_lot", "manufactured_on", "site"} <= set(row)
    assert client.get("/api/v1/wms/lots/", {"item": "CMP-L", "status": "available"}).json()["count"] == 1
    other = Lot.objects.get(code="THEIRS")
    assert client.get(f"/api/v1/wms/lots/{other.pk}/").status_code == 404
    assert client.post(f"/api/v1/wms/lots/{other.pk}/status/", {"status": "on_hold"}).status_code in (403, 404)


def test_operator_may_post_moves_but_not_change_bins(plant, api_as):
    operator = UserFactory(roles=["operator"], sites=[plant["site"]])
    item = ItemFactory(code="CMP-OP")
    stock_in(bin=plant["bin_a"], item=item, quantity=2)
    client = api_as(operator)
    issued = client.post(MOVES, {"kind": "issue", "item": "CMP-OP", "from_bin": plant["bin_a"].code, "quantity": 1})
    assert issued.status_code == 201
    assert client.post(f"/api/v1/wms/bins/{plant['bin_a'].pk}/block/", {"reason": "x"}).status_code == 403


@pytest.mark.parametrize("url", [MOVES, "/api/v1/wms/bins/", "/api/v1/wms/stock/", "/api/v1/wms/lots/"])
def test_lists_answer_in_a_fixed_number_of_queries(plant, api_as, url):
    """A page of 40 rows costs what a page of 2 costs: no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(plant["user"])
    zone = plant["bin_a"].zone

    def add_rows(n):
        for _ in range(n):
            item = ItemFactory(tracking="lot")
            stock_in(bin=BinFactory(zone=zone), item=item, quantity=1, lot=LotFactory(item=item, site=plant["site"]))

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx), response.json()["count"]

    add_rows(2)
    queries()  # the first request also loads the user's sites and permissions
    few, few_rows = queries()
    add_rows(38)
    many, many_rows = queries()
    assert many_rows >= few_rows + 38
    assert many == few
