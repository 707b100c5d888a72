from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.errors import ValidationFailed
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, ZoneFactory, stock_in, warehouse_layout
from wms.models import LotStatus, StockQuant
from wms.services.putaway import PUTAWAY_REFERENCE, confirm_putaway, suggest_putaway_bins

pytestmark = pytest.mark.django_db


def codes(suggestions):
    return [s.bin.code for s in suggestions]


def test_fast_mover_goes_nearest_the_dock_and_slow_mover_far():
    layout = warehouse_layout()
    near = BinFactory(zone=layout.raw_zone, distance_rank=1)
    far = BinFactory(zone=layout.raw_zone, distance_rank=90)

    fast = suggest_putaway_bins(item=ItemFactory(abc_class="A"), quantity=5, site=layout.site)
    slow = suggest_putaway_bins(item=ItemFactory(abc_class="C"), quantity=5, site=layout.site)

    assert fast[0].bin == near and any("fast mover" in r for r in fast[0].reasons)
    assert slow[0].bin == far and any("slow mover" in r for r in slow[0].reasons)
    assert layout.receiving.code not in codes(fast) and layout.quarantine.code not in codes(fast)


def test_consolidation_with_the_same_item_beats_a_nearer_empty_bin():
    layout = warehouse_layout()
    item = ItemFactory(abc_class="A")
    near_empty = BinFactory(zone=layout.raw_zone, distance_rank=1)
    holding = BinFactory(zone=layout.raw_zone, distance_rank=80)
    stock_in(bin=holding, item=item, quantity=3, user=layout.user)

    ranked = suggest_putaway_bins(item=item, quantity=5, site=layout.site)

    assert codes(ranked)[:2] == [holding.code, near_empty.code]
    assert any(item.code in r for r in ranked[0].reasons)


def test_same_lot_beats_same_item():
    layout = warehouse_layout()
    lot = LotFactory(site=layout.site)
    other_lot = LotFactory(item=lot.item, site=layout.site)
    with_other_lot = BinFactory(zone=layout.raw_zone, distance_rank=1)
    with_lot = BinFactory(zone=layout.raw_zone, distance_rank=50)
    stock_in(bin=with_other_lot, item=lot.item, quantity=1, lot=other_lot, user=layout.user)
    stock_in(bin=with_lot, item=lot.item, quantity=1, lot=lot, user=layout.user)

    ranked = suggest_putaway_bins(item=lot.item, lot=lot, quantity=1, site=layout.site)

    assert codes(ranked)[:2] == [with_lot.code, with_other_lot.code]


def test_hazardous_items_only_to_hazardous_zones_and_cold_only_to_cold():
    layout = warehouse_layout()
    hazard_bin = BinFactory(zone=ZoneFactory(warehouse=layout.warehouse, kind="hazardous", allows_hazardous=True))
    cold_bin = BinFactory(zone=ZoneFactory(warehouse=layout.warehouse, kind="cold", temperature_class="cold"))

    solvent = suggest_putaway_bins(item=ItemFactory(hazard_class="flammable"), quantity=1, site=layout.site)
    vaccine = suggest_putaway_bins(item=ItemFactory(temperature_class="cold"), quantity=1, site=layout.site)
    bolt = suggest_putaway_bins(item=ItemFactory(), quantity=1, site=layout.site)

    assert codes(solvent) == [hazard_bin.code]
    assert codes(vaccine) == [cold_bin.code]
    assert codes(bolt) == [layout.raw.code]


def test_zone_item_types_blocked_and_full_bins_are_excluded():
    layout = warehouse_layout()
    item = ItemFactory(unit_volume_l=Decimal("2"), unit_weight_kg=Decimal("1"))
    finished_only = BinFactory(
        zone=ZoneFactory(warehouse=layout.warehouse, kind="finished", allowed_item_types=["finished"])
    )
    blocked = BinFactory(zone=layout.raw_zone, blocked=True)
    small = BinFactory(zone=layout.raw_zone, max_volume_l=Decimal("15"))
    heavy = BinFactory(zone=layout.raw_zone, max_weight_kg=Decimal("100"))
    stock_in(bin=heavy, item=ItemFactory(unit_weight_kg=Decimal("1")), quantity=96, user=layout.user)
    one_lot = BinFactory(zone=layout.raw_zone, max_lots=1)
    stock_in(bin=one_lot, item=ItemFactory(), quantity=1, user=layout.user)
    roomy = BinFactory(zone=layout.raw_zone, max_volume_l=Decimal("100"))

    ranked = codes(suggest_putaway_bins(item=item, quantity=10, site=layout.site, limit=20))

    assert roomy.code in ranked and layout.raw.code in ranked
    for excluded in (finished_only, blocked, small, heavy, one_lot):
        assert excluded.code not in ranked


def test_quarantined_lot_is_only_offered_quarantine():
    layout = warehouse_layout()
    lot = LotFactory(site=layout.site, status=LotStatus.QUARANTINE)

    ranked = suggest_putaway_bins(item=lot.item, lot=lot, quantity=1, site=layout.site)

    assert codes(ranked) == [layout.quarantine.code]
    released = LotFactory(item=lot.item, site=layout.site)
    assert layout.quarantine.code not in codes(
        suggest_putaway_bins(item=lot.item, lot=released, quantity=1, site=layout.site)
    )


def test_ranking_is_one_query_however_many_bins():
    layout = warehouse_layout()
    item = ItemFactory()
    for rank in range(30):
        bin_ = BinFactory(zone=layout.raw_zone, distance_rank=rank + 1, max_volume_l=Decimal("100"))
        if rank % 3 == 0:
            stock_in(bin=bin_, item=item, quantity=1, user=layout.user)

    with CaptureQueriesContext(connection) as queries:
        ranked = suggest_putaway_bins(item=item, quantity=1, site=layout.site)

    assert len(ranked) == 5
    assert len(queries) <= 2


def test_bad_quantity_is_a_field_error():
    layout = warehouse_layout()
    for quantity in (0, -1, "x"):
        with pytest.raises(ValidationFailed) as error:
            suggest_putaway_bins(item=ItemFactory(), quantity=quantity, site=layout.site)
        assert error.value.field == "quantity"


def test_confirm_putaway_moves_the_stock_and_records_an_override():
    layout = warehouse_layout()
    item = ItemFactory()
    other = BinFactory(zone=layout.raw_zone)
    stock_in(bin=layout.receiving, item=item, quantity=10, user=layout.user)

    followed = confirm_putaway(
        item=item, quantity=4, from_bin=layout.receiving, to_bin=layout.raw, suggested_bin=layout.raw, user=layout.user
    )
    overridden = confirm_putaway(
        item=item, quantity=6, from_bin=layout.receiving, to_bin=other, suggested_bin=layout.raw, user=layout.user
    )

    assert followed.kind == "transfer" and followed.reference == PUTAWAY_REFERENCE and followed.reason == ""
    assert "Override" in overridden.reason and layout.raw.code in overridden.reason and other.code in overridden.reason
    assert not StockQuant.objects.filter(bin=layout.receiving, quantity__gt=0).exists()
    assert StockQuant.objects.get(bin=other, item=item).quantity == Decimal("6")


def test_putaway_queue_shows_receiving_stock_and_released_lots_in_quarantine():
    from wms.selectors.inbound import putaway_queue
    from wms.services.lots import release_lot

    layout = warehouse_layout()
    plain = ItemFactory()
    stock_in(bin=layout.receiving, item=plain, quantity=3, user=layout.user)
    held = LotFactory(site=layout.site, status=LotStatus.QUARANTINE)
    stock_in(bin=layout.quarantine, item=held.item, quantity=2, lot=held, user=layout.user)
    stock_in(bin=layout.raw, item=ItemFactory(), quantity=1, user=layout.user)
    outsider = warehouse_layout()

    assert [(q.item, q.bin) for q in putaway_queue(user=layout.user)] == [(plain, layout.receiving)]
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    release_lot(lot=held, user=inspector, password="correct-horse-battery", reason="inspection passed")
    assert {q.lot for q in putaway_queue(user=layout.user, site=layout.site)} == {None, held}
    assert not putaway_queue(user=outsider.user).exists()
