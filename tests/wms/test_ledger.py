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


# Lots belong to one site


@pytest.fixture
def two_sites():
    """Shenzhen and Monterrey, each with a bin, a warehouse user, and the same item."""
    from tests.factories import SiteFactory
    from tests.wms.factories import WarehouseFactory, ZoneFactory

    sites = {}
    for code in ("SZ", "MTY"):
        site = SiteFactory(code=code)
        zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code=f"{code}1"), kind="raw", code="RAW")
        sites[code] = {
            "site": site,
            "bin": BinFactory(zone=zone, aisle="R", rack="01", level="1", position="01"),
            "user": UserFactory(roles=["warehouse"], sites=[site]),
        }
    return sites


def test_a_receipt_naming_another_sites_lot_code_makes_a_lot_of_its_own(two_sites):
    sz, mty = two_sites["SZ"], two_sites["MTY"]
    item = ItemFactory(code="PCB-INV01", tracking="lot")
    theirs = LotFactory(item=item, code="MTY-PCB2609", site=mty["site"])
    stock_in(bin=mty["bin"], item=item, quantity=10, lot=theirs, user=mty["user"])

    move = post_move(
        kind="receipt", item=item, lot_code="MTY-PCB2609", quantity=Decimal(3), to_bin=sz["bin"], user=sz["user"]
    )

    assert move.lot != theirs and move.lot.site == sz["site"] and move.lot.code == "MTY-PCB2609"
    assert sum(q.quantity for q in StockQuant.objects.filter(lot=theirs)) == Decimal(10)


def test_another_sites_lot_is_an_unknown_lot_whatever_its_status(two_sites):
    sz, mty = two_sites["SZ"], two_sites["MTY"]
    item = ItemFactory(tracking="lot")
    held = LotFactory(item=item, code="MTY-HELD", site=mty["site"], status=LotStatus.ON_HOLD)
    stock_in(bin=sz["bin"], item=item, quantity=5, lot=LotFactory(item=item, code="SZ-OK", site=sz["site"]))

    for lot_args in ({"lot_code": "MTY-HELD"}, {"lot": held}):
        with pytest.raises(ValidationFailed) as refused:
            post_move(kind="issue", item=item, quantity=Decimal(1), from_bin=sz["bin"], user=sz["user"], **lot_args)
        assert refused.value.code == "unknown_lot" and "On hold" not in str(refused.value.message)


def test_a_consumed_serial_of_another_site_is_not_revived_by_a_receipt(two_sites):
    sz, mty = two_sites["SZ"], two_sites["MTY"]
    item = ItemFactory(tracking="serial")
    serial = LotFactory(item=item, code="RC25-MTY-000006", site=mty["site"], status=LotStatus.CONSUMED)

    post_move(
        kind="receipt", item=item, lot_code="RC25-MTY-000006", quantity=Decimal(1), to_bin=sz["bin"], user=sz["user"]
    )

    serial.refresh_from_db()
    assert serial.status == LotStatus.CONSUMED


def test_the_moves_api_answers_unknown_lot_for_another_sites_lot(client, two_sites):
    from rest_framework.test import APIClient

    sz, mty = two_sites["SZ"], two_sites["MTY"]
    item = ItemFactory(code="FG-RC25", tracking="lot")
    LotFactory(item=item, code="MTY-Q1", site=mty["site"], status=LotStatus.ON_HOLD)
    api = APIClient()
    api.force_authenticate(sz["user"])

    response = api.post(
        "/api/v1/wms/moves/",
        {"kind": "issue", "item": "FG-RC25", "lot": "MTY-Q1", "from_bin": sz["bin"].code, "quantity": "1"},
        format="json",
    )

    assert response.status_code == 400, response.content
    assert response.json()["code"] == "unknown_lot" and "on hold" not in response.content.decode().lower()


def test_a_user_cannot_move_stock_in_a_bin_of_a_site_it_does_not_work_at(two_sites):
    from core.errors import NotFound

    sz, mty = two_sites["SZ"], two_sites["MTY"]
    item = ItemFactory()
    stock_in(bin=mty["bin"], item=item, quantity=5, user=mty["user"])
    with pytest.raises(NotFound):
        post_move(kind="issue", item=item, quantity=Decimal(1), from_bin=mty["bin"], user=sz["user"])


# One serial, one place


def test_a_serial_on_hand_in_one_bin_cannot_be_received_or_adjusted_into_another():
    bin_a, item = BinFactory(), ItemFactory(tracking="serial")
    bin_b = BinFactory(zone=bin_a.zone)
    user = UserFactory(roles=["warehouse"], sites=[bin_a.warehouse.site])
    post_move(kind="receipt", item=item, lot_code="SN-3", quantity=Decimal(1), to_bin=bin_a, user=user)

    for kind in ("receipt", "adjustment"):
        with pytest.raises(ValidationFailed) as refused:
            post_move(kind=kind, item=item, lot_code="SN-3", quantity=Decimal(1), to_bin=bin_b, user=user)
        assert refused.value.code == "serial_on_hand"
    lot = Lot.objects.get(item=item, code="SN-3")
    assert sum(q.quantity for q in StockQuant.objects.filter(lot=lot)) == Decimal(1)
    post_move(kind="transfer", item=item, lot=lot, quantity=Decimal(1), from_bin=bin_a, to_bin=bin_b, user=user)
    assert on_hand(item, bin_b, lot) == Decimal(1)


# Allocations


def test_a_plain_issue_cannot_take_what_a_pick_list_holds_but_the_pick_can():
    from tests.wms.factories import warehouse_layout
    from wms.selectors.availability import available_quantity
    from wms.services import picking

    layout = warehouse_layout()
    item = ItemFactory()
    stock_in(bin=layout.raw, item=item, quantity=10, user=layout.user)
    pick_list = picking.create_pick_list(
        site=layout.site, purpose="shipment", lines=[{"item": item, "quantity": "8"}], user=layout.user
    )
    assert available_quantity(item=item, bin=layout.raw) == Decimal(2)

    with pytest.raises(InsufficientStock) as refused:
        post_move(kind="issue", item=item, quantity=Decimal(3), from_bin=layout.raw, user=layout.user)
    assert "pick lists hold 8" in str(refused.value.message)
    post_move(kind="issue", item=item, quantity=Decimal(2), from_bin=layout.raw, user=layout.user)

    picking.confirm_pick(line=pick_list.lines.get(), picked_quantity="8", user=layout.user)
    assert on_hand(item, layout.raw) == Decimal(0)


def test_a_transfer_costs_seven_statements_besides_the_transaction(django_assert_max_num_queries):
    bin_a = BinFactory()
    bin_b = BinFactory(zone=bin_a.zone)
    lot = LotFactory(site=bin_a.warehouse.site)
    user = UserFactory(roles=["warehouse"], sites=[bin_a.warehouse.site])
    stock_in(bin=bin_a, item=lot.item, quantity=5, lot=lot, user=user)
    stock_in(bin=bin_b, item=lot.item, quantity=5, lot=lot, user=user)
    post_move(kind="transfer", item=lot.item, lot=lot, quantity=Decimal(1), from_bin=bin_a, to_bin=bin_b, user=user)

    # savepoint + release (the test's transaction) + bins + stock rows + 2 updates + move + event + outbox
    with django_assert_max_num_queries(9):
        post_move(kind="transfer", item=lot.item, lot=lot, quantity=Decimal(1), from_bin=bin_a, to_bin=bin_b, user=user)
