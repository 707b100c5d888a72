from datetime import date
from decimal import Decimal

import pytest

from core import scancodes
from core.errors import ValidationFailed
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory
from wms.floor.scanning import bin_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    site = SiteFactory(code="P1")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WH1"), kind="raw")
    bin_ = BinFactory(zone=zone, code="WH1-A-01-1-001")
    item = ItemFactory(code="CMP-100", name="Bracket", tracking="lot")
    lot = LotFactory(item=item, code="L2024-07", site=site, expiry=date(2026, 3, 31))
    user = UserFactory(roles=["warehouse"], sites=[site])
    return {"site": site, "bin": bin_, "item": item, "lot": lot, "user": user}


def test_bin_label_round_trip(plant):
    payload = bin_payload(bin=plant["bin"])
    assert payload == "WMS1|BIN|WH1-A-01-1-001"
    scan = scancodes.parse(payload, user=plant["user"])
    assert scan.kind == "bin" and scan.record == plant["bin"]


def test_lot_label_round_trip_carries_quantity_and_expiry(plant):
    payload = scancodes.lot_payload(lot=plant["lot"], quantity=Decimal("25.500000"))
    assert payload == "WMS1|LOT|CMP-100|L2024-07|25.5|2026-03-31"
    scan = scancodes.parse(payload, user=plant["user"])
    assert scan.kind == "lot"
    assert scan.item == plant["item"] and scan.lot == plant["lot"]
    assert scan.quantity == Decimal("25.5")
    assert scan.expiry == date(2026, 3, 31)


def test_lot_label_without_quantity_or_expiry(plant):
    scan = scancodes.parse("WMS1|LOT|CMP-100|L2024-07||", user=plant["user"])
    assert scan.lot == plant["lot"] and scan.quantity is None and scan.expiry is None


def test_plain_bin_code_and_scanner_noise(plant):
    scan = scancodes.parse("  WH1-A-01-1-001\r\n", user=plant["user"])
    assert scan.kind == "bin" and scan.record == plant["bin"]


def test_caps_lock_scan_still_finds_the_bin(plant):
    scan = scancodes.parse("wh1-a-01-1-001", user=plant["user"])
    assert scan.record == plant["bin"]


def test_plain_item_code(plant):
    scan = scancodes.parse("CMP-100", user=plant["user"])
    assert scan.kind == "item" and scan.item == plant["item"] and scan.lot is None


def test_item_and_lot_typed_by_hand(plant):
    scan = scancodes.parse("CMP-100|L2024-07", user=plant["user"])
    assert scan.kind == "lot" and scan.lot == plant["lot"] and scan.quantity is None


def test_unknown_lot_is_refused_unless_receiving(plant):
    with pytest.raises(ValidationFailed) as error:
        scancodes.parse("WMS1|LOT|CMP-100|NEW-LOT|10|", user=plant["user"])
    assert error.value.code == "unknown_scan"
    scan = scancodes.parse("WMS1|LOT|CMP-100|NEW-LOT|10|", user=plant["user"], new_lot_ok=True)
    assert scan.kind == "lot" and scan.lot is None and scan.lot_code == "NEW-LOT"
    assert scan.quantity == Decimal("10")


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "hello world",
        "NOPE-123",
        "WMS1|BIN",
        "WMS1|BIN|WH1-A-01-1-001|extra",
        "WMS1|LOT|CMP-100|L2024-07|5",
        "WMS1|LOT|CMP-100|L2024-07|five|",
        "WMS1|LOT|CMP-100|L2024-07|-3|",
        "WMS1|LOT|CMP-100|L2024-07|3|31/03/2026",
        "WMS1|LOT|NOPE|L2024-07|3|",
        "WMS1|PALLET|123",
        "a|b|c",
        "CMP-100|",
    ],
)
def test_garbage_is_not_one_of_ours(plant, raw):
    with pytest.raises(ValidationFailed) as error:
        scancodes.parse(raw, user=plant["user"], field="from_bin")
    assert error.value.code == "unknown_scan"
    assert error.value.field == "from_bin"
    assert str(error.value.message).startswith("This code is not one of ours")


def test_another_sites_bin_and_lot_are_unknown(plant):
    other = SiteFactory(code="P2")
    other_bin = BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=other, code="WH2")), code="WH2-A-01-1-001")
    other_lot = LotFactory(item=plant["item"], code="L-P2", site=other)
    for raw in (
        other_bin.code,
        bin_payload(bin=other_bin),
        scancodes.lot_payload(lot=other_lot, quantity=1),
    ):
        with pytest.raises(ValidationFailed) as error:
            scancodes.parse(raw, user=plant["user"])
        assert error.value.code == "unknown_scan"
    admin = UserFactory(roles=["admin"])
    assert scancodes.parse(other_bin.code, user=admin).record == other_bin


def test_inactive_item_is_unknown(plant):
    ItemFactory(code="OLD-1", active=False)
    with pytest.raises(ValidationFailed):
        scancodes.parse("OLD-1", user=plant["user"])
