from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from tests.factories import ItemFactory, UserFactory, gram, kg
from tests.wms.factories import BinFactory, LotFactory, stock_in
from wms.errors import InsufficientStock, LotNotAvailable
from wms.models import Lot, LotStatus, StockMove, StockQuant
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


def on_hand(item, bin_, lot=None):
    quant = StockQuant.objects.filter(item=item, bin=bin_, lot=lot).first()
    return quant.quantity if quant else Decimal(0)


def test_receipt_into_new_lot_code_creates_the_lot_and_the_stock():
    bin_ = BinFactory()
    item = ItemFactory(tracking="lot", shelf_life_days=30)
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])

    move = post_move(kind="receipt", item=item, quantity=Decimal("12"), lot_code="L-NEW", to_bin=bin_, user=user)

    lot = Lot.objects.get(item=item, code="L-NEW")
    assert move.lot == lot and lot.expiry is not None
    assert on_hand(item, bin_, lot) == Decimal("12")


def test_issue_more_than_on_hand_is_refused_and_nothing_changes():
    bin_ = BinFactory()
    item = ItemFactory()
    stock_in(bin=bin_, item=item, quantity=5)
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])
    moves_before = StockMove.objects.count()

    with pytest.raises(InsufficientStock):
        post_move(kind="issue", item=item, quantity=Decimal("6"), from_bin=bin_, user=user)

    assert on_hand(item, bin_) == Decimal("5")
    assert StockMove.objects.count() == moves_before


def test_quantity_in_another_unit_is_booked_in_the_base_unit():
    bin_ = BinFactory()
    item = ItemFactory(base_unit=kg())
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])

    move = post_move(kind="receipt", item=item, quantity=Decimal("2500"), unit=gram(), to_bin=bin_, user=user)

    assert move.quantity == Decimal("2.5")
    assert on_hand(item, bin_) == Decimal("2.5")


def test_held_lot_cannot_be_issued():
    bin_ = BinFactory()
    lot = LotFactory(site=bin_.warehouse.site)
    stock_in(bin=bin_, item=lot.item, quantity=10, lot=lot)
    Lot.objects.filter(pk=lot.pk).update(status=LotStatus.ON_HOLD)
    lot.refresh_from_db()
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])

    with pytest.raises(LotNotAvailable):
        post_move(kind="issue", item=lot.item, quantity=Decimal("1"), lot=lot, from_bin=bin_, user=user)


def test_zero_quantity_is_a_field_error():
    bin_ = BinFactory()
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])
    with pytest.raises(ValidationFailed) as error:
        post_move(kind="receipt", item=ItemFactory(), quantity=Decimal("0"), to_bin=bin_, user=user)
    assert error.value.field == "quantity"


def test_a_stale_lot_object_does_not_bypass_a_hold():
    bin_ = BinFactory()
    lot = LotFactory(site=bin_.warehouse.site)
    stock_in(bin=bin_, item=lot.item, quantity=4, lot=lot)
    Lot.objects.filter(pk=lot.pk).update(status=LotStatus.ON_HOLD)  # held elsewhere; our copy says available
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])

    with pytest.raises(LotNotAvailable):
        post_move(kind="issue", item=lot.item, quantity=Decimal("1"), lot=lot, from_bin=bin_, user=user)
    assert on_hand(lot.item, bin_, lot) == Decimal("4")


def test_issue_from_a_used_up_lot_says_insufficient_stock():
    bin_ = BinFactory()
    lot = LotFactory(site=bin_.warehouse.site)
    stock_in(bin=bin_, item=lot.item, quantity=1, lot=lot)
    user = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])
    post_move(kind="issue", item=lot.item, quantity=Decimal("1"), lot_code=lot.code, from_bin=bin_, user=user)

    with pytest.raises(InsufficientStock):
        post_move(kind="issue", item=lot.item, quantity=Decimal("1"), lot_code=lot.code, from_bin=bin_, user=user)


def test_transfer_moves_stock_between_bins_and_keeps_the_total():
    source = BinFactory()
    target = BinFactory(zone=source.zone)
    item = ItemFactory()
    stock_in(bin=source, item=item, quantity=10)
    user = UserFactory(roles=["warehouse"], sites=[source.warehouse.site])

    post_move(kind="transfer", item=item, quantity=Decimal("4"), from_bin=source, to_bin=target, user=user)

    assert (on_hand(item, source), on_hand(item, target)) == (Decimal("6"), Decimal("4"))


def test_transfer_between_sites_and_adjustment_with_two_bins_are_refused():
    source = BinFactory()
    elsewhere = BinFactory(zone__warehouse__site__code="FAR")
    item = ItemFactory()
    stock_in(bin=source, item=item, quantity=3)
    user = UserFactory(roles=["admin"])
    with pytest.raises(ValidationFailed) as error:
        post_move(kind="transfer", item=item, quantity=Decimal("1"), from_bin=source, to_bin=elsewhere, user=user)
    assert error.value.code == "cross_site"
    with pytest.raises(ValidationFailed) as error:
        post_move(kind="adjustment", item=item, quantity=Decimal("1"), from_bin=source, to_bin=elsewhere, user=user)
    assert error.value.code == "adjustment_bins"
    assert on_hand(item, source) == Decimal("3")


def test_each_move_publishes_a_stock_moved_event():
    from core.models import Event

    bin_ = BinFactory()
    move = stock_in(bin=bin_, item=ItemFactory(code="EV-1"), quantity=2)
    event = Event.objects.filter(name="wms.stock.moved").latest("id")
    assert (
        event.payload["move"] == move.pk and event.payload["item"] == "EV-1" and Decimal(event.payload["quantity"]) == 2
    )
