"""Warehouses, zones and bins: codes built from the location, unique across the company; blocking."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import ValidationFailed
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.errors import BinBlocked
from wms.models import Bin, StockQuant
from wms.services import locations
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(roles=["admin"])


def test_warehouse_zone_and_bin_are_created_with_a_printed_code(admin):
    site = SiteFactory(code="P1")
    warehouse = locations.create_warehouse(user=admin, site=site, code="WH1", name="Main store")
    zone = locations.create_zone(user=admin, warehouse=warehouse, code="RAW", name="Raw", kind="raw")

    bin_ = locations.create_bin(
        user=admin, warehouse=warehouse, zone=zone, aisle="a", rack="03", level="2", position="05", max_lots=4
    )

    assert bin_.code == "WH1-A-03-2-05" and bin_.aisle == "A" and bin_.max_lots == 4
    assert bin_.history.first().history_user == admin


def test_bin_code_leaves_out_missing_trailing_parts_but_not_gaps(admin):
    zone = ZoneFactory(warehouse=WarehouseFactory(code="WH2"), kind="receiving", code="RCV")
    dock = locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="DOCK1")
    assert dock.code == "WH2-DOCK1"
    with pytest.raises(ValidationFailed) as error:
        locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="A", level="2")
    assert error.value.field == "level"
    with pytest.raises(ValidationFailed) as error:
        locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="A B")
    assert error.value.field == "aisle"


def test_the_same_location_twice_is_refused(admin):
    zone = ZoneFactory(warehouse=WarehouseFactory(code="WH3"))
    locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="A", rack="1")
    with pytest.raises(ValidationFailed) as error:
        locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="a", rack="1")
    assert error.value.field == "code" and error.value.code == "duplicate_bin_code"
    assert Bin.objects.filter(code="WH3-A-1").count() == 1


def test_a_zone_of_another_warehouse_is_refused(admin):
    zone = ZoneFactory(warehouse=WarehouseFactory(code="WH4"))
    other = WarehouseFactory(code="WH5")
    with pytest.raises(ValidationFailed) as error:
        locations.create_bin(user=admin, warehouse=other, zone=zone, aisle="A")
    assert error.value.field == "zone"


def test_duplicate_warehouse_code_and_unknown_zone_kind_are_refused(admin):
    site = SiteFactory()
    locations.create_warehouse(user=admin, site=site, code="WH6", name="One")
    with pytest.raises(ValidationError):
        locations.create_warehouse(user=admin, site=site, code="WH6", name="Two")
    with pytest.raises(ValidationFailed):
        locations.create_zone(user=admin, warehouse=WarehouseFactory(), code="X", name="X", kind="attic")


def test_empty_bin_may_be_relocated_but_not_one_with_stock_history(admin):
    zone = ZoneFactory(warehouse=WarehouseFactory(code="WH7"))
    empty = locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="A", rack="1")
    moved = locations.update_bin(bin=empty, user=admin, rack="2", pick_sequence=7)
    assert moved.code == "WH7-A-2" and moved.pick_sequence == 7

    used = locations.create_bin(user=admin, warehouse=zone.warehouse, zone=zone, aisle="B", rack="1")
    stock_in(bin=used, item=ItemFactory(), quantity=1)
    with pytest.raises(ValidationFailed) as error:
        locations.update_bin(bin=used, user=admin, rack="9")
    assert error.value.code == "bin_in_use"
    assert Bin.objects.get(pk=used.pk).code == "WH7-B-1"


def test_blocked_bin_refuses_moves_until_unblocked(admin):
    bin_ = BinFactory()
    item = ItemFactory()
    stock_in(bin=bin_, item=item, quantity=3)
    with pytest.raises(ValidationFailed):
        locations.block_bin(bin=bin_, user=admin, reason=" ")

    locations.block_bin(bin=bin_, user=admin, reason="rack damaged by forklift")

    with pytest.raises(BinBlocked) as error:
        post_move(kind="issue", item=item, quantity=Decimal(1), from_bin=bin_, user=admin)
    assert "rack damaged" in str(error.value.message)
    locations.unblock_bin(bin=bin_, user=admin)
    post_move(kind="issue", item=item, quantity=Decimal(1), from_bin=bin_, user=admin)
    assert StockQuant.objects.get(item=item, bin=bin_).quantity == Decimal(2)
    reasons = list(Bin.objects.get(pk=bin_.pk).history.values_list("blocked_reason", flat=True))
    assert "rack damaged by forklift" in reasons
