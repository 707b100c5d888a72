"""Zone rules of the ledger: hazardous zones take hazardous items only, quarantine zones take only
lots that are not available, and a lot's status and its zone never disagree."""

from decimal import Decimal

import pytest

from tests.factories import ItemFactory
from tests.wms.factories import BinFactory, LotFactory, ZoneFactory, stock_in, warehouse_layout
from wms.errors import LotNotAvailable, ZoneRuleViolation
from wms.models import LotStatus, StockQuant
from wms.services.ledger import post_move
from wms.services.putaway import confirm_putaway

pytestmark = pytest.mark.django_db


def test_non_hazardous_item_is_refused_by_a_hazardous_zone():
    layout = warehouse_layout()
    hazard_bin = BinFactory(zone=ZoneFactory(warehouse=layout.warehouse, kind="hazardous", allows_hazardous=True))
    copper = ItemFactory(code="CU-952")
    stock_in(bin=layout.receiving, item=copper, quantity=5, user=layout.user)

    with pytest.raises(ZoneRuleViolation) as refused:
        confirm_putaway(item=copper, quantity=5, from_bin=layout.receiving, to_bin=hazard_bin, user=layout.user)
    assert refused.value.code == "zone_rule"
    assert not StockQuant.objects.filter(bin=hazard_bin, quantity__gt=0).exists()

    solvent = ItemFactory(hazard_class="flammable")
    post_move(kind="receipt", item=solvent, quantity=2, to_bin=hazard_bin, user=layout.user)
    assert StockQuant.objects.get(bin=hazard_bin, item=solvent).quantity == Decimal(2)


def test_available_lot_and_untracked_stock_are_refused_by_a_quarantine_zone():
    layout = warehouse_layout()
    lot = LotFactory(site=layout.site, status=LotStatus.AVAILABLE)
    stock_in(bin=layout.raw, item=lot.item, quantity=4, lot=lot, user=layout.user)
    plain = ItemFactory()
    stock_in(bin=layout.raw, item=plain, quantity=4, user=layout.user)

    for item, stock_lot in ((lot.item, lot), (plain, None)):
        with pytest.raises(ZoneRuleViolation):
            post_move(
                kind="transfer",
                item=item,
                lot=stock_lot,
                quantity=1,
                from_bin=layout.raw,
                to_bin=layout.quarantine,
                user=layout.user,
            )
    assert not StockQuant.objects.filter(bin=layout.quarantine, quantity__gt=0).exists()


def test_held_lot_goes_into_quarantine_and_a_quarantined_lot_stays_there():
    layout = warehouse_layout()
    lot = LotFactory(site=layout.site, status=LotStatus.QUARANTINE)
    stock_in(bin=layout.receiving, item=lot.item, quantity=3, lot=lot, user=layout.user)

    post_move(
        kind="transfer",
        item=lot.item,
        lot=lot,
        quantity=3,
        from_bin=layout.receiving,
        to_bin=layout.quarantine,
        user=layout.user,
    )
    with pytest.raises(ZoneRuleViolation):
        post_move(
            kind="transfer",
            item=lot.item,
            lot=lot,
            quantity=1,
            from_bin=layout.quarantine,
            to_bin=layout.raw,
            user=layout.user,
        )
    assert StockQuant.objects.get(bin=layout.quarantine, lot=lot).quantity == Decimal(3)


def test_released_lot_in_quarantine_is_put_away_before_it_is_used():
    layout = warehouse_layout()
    lot = LotFactory(site=layout.site, status=LotStatus.QUARANTINE)
    stock_in(bin=layout.quarantine, item=lot.item, quantity=3, lot=lot, user=layout.user)
    lot.status = LotStatus.AVAILABLE
    lot.save()

    with pytest.raises(LotNotAvailable):
        post_move(kind="issue", item=lot.item, lot=lot, quantity=1, from_bin=layout.quarantine, user=layout.user)
    post_move(
        kind="transfer",
        item=lot.item,
        lot=lot,
        quantity=3,
        from_bin=layout.quarantine,
        to_bin=layout.raw,
        user=layout.user,
    )
    post_move(kind="issue", item=lot.item, lot=lot, quantity=1, from_bin=layout.raw, user=layout.user)
    assert StockQuant.objects.get(bin=layout.raw, lot=lot).quantity == Decimal(2)


def test_the_api_answers_409_with_the_zone_rule_code(api_as):
    layout = warehouse_layout()
    hazard_bin = BinFactory(zone=ZoneFactory(warehouse=layout.warehouse, kind="hazardous", allows_hazardous=True))
    item = ItemFactory(code="CU-953")
    stock_in(bin=layout.receiving, item=item, quantity=5, user=layout.user)
    response = api_as(layout.user).post(
        "/api/v1/wms/moves/",
        {
            "kind": "transfer",
            "item": item.code,
            "from_bin": layout.receiving.code,
            "to_bin": hazard_bin.code,
            "quantity": "1",
        },
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "zone_rule"


def test_a_lot_set_aside_in_a_storage_zone_is_queued_for_quarantine():
    from wms.selectors.inbound import putaway_queue
    from wms.services.putaway import suggest_putaway_bins

    layout = warehouse_layout()
    lot = LotFactory(site=layout.site, status=LotStatus.AVAILABLE)
    stock_in(bin=layout.raw, item=lot.item, quantity=2, lot=lot, user=layout.user)
    assert not putaway_queue(user=layout.user).filter(lot=lot).exists()

    lot.status = LotStatus.ON_HOLD
    lot.save()
    assert [q.bin for q in putaway_queue(user=layout.user).filter(lot=lot)] == [layout.raw]
    ranked = suggest_putaway_bins(item=lot.item, lot=lot, quantity=2, site=layout.site, from_bin=layout.raw)
    assert [s.bin for s in ranked] == [layout.quarantine]
    confirm_putaway(item=lot.item, lot=lot, quantity=2, from_bin=layout.raw, to_bin=layout.quarantine, user=layout.user)
    assert not putaway_queue(user=layout.user).filter(lot=lot).exists()
