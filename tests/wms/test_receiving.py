import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from core.models import Event
from tests.factories import ItemFactory, PartnerFactory, SiteFactory, UserFactory, gram, kg
from tests.wms.factories import BinFactory, ZoneFactory, warehouse_layout
from wms.models import ExpectedReceipt, Lot, LotStatus, ReceiptStatus, StockMove, StockQuant
from wms.services import receiving
from wms.services.receiving import OverReceipt, ReceiptNotOpen

pytestmark = pytest.mark.django_db


def on_hand(item, bin_):
    return sum((q.quantity for q in StockQuant.objects.filter(item=item, bin=bin_)), Decimal(0))


def expect(layout, *lines, **kwargs):
    return receiving.create_expected_receipt(
        site=layout.site, lines=[dict(line) for line in lines], user=layout.user, **kwargs
    )


def test_expected_receipt_gets_a_readable_number_and_base_unit_quantities():
    layout = warehouse_layout(SiteFactory(code="SZ"))
    item = ItemFactory(base_unit=kg())

    first = expect(layout, {"item": item, "quantity": Decimal("100000"), "unit": gram()})
    second = expect(layout, {"item": item, "quantity": Decimal("5"), "over_tolerance_pct": Decimal("0")})

    assert first.number == "GR-SZ-000001" and second.number == "GR-SZ-000002"
    line = first.lines.get()
    assert line.quantity == Decimal("100") and first.status == ReceiptStatus.OPEN
    assert second.lines.get().over_tolerance_pct == Decimal("0")


def test_expected_receipt_refuses_bad_lines_and_writes_nothing():
    layout = warehouse_layout()
    inactive = ItemFactory(active=False)
    item = ItemFactory()
    expect(layout, {"item": item, "quantity": 1}, number="GR-DUP")

    cases = [
        ({"lines": [{"item": item, "quantity": Decimal("0")}]}, "lines"),
        ({"lines": [{"item": item, "quantity": Decimal("-3")}]}, "lines"),
        ({"lines": [{"item": inactive, "quantity": Decimal("3")}]}, "lines"),
        ({"lines": []}, "lines"),
        ({"lines": [{"item": item, "quantity": 1}], "number": "GR-DUP"}, "number"),
        ({"lines": [{"item": item, "quantity": 1, "under_tolerance_pct": Decimal("120")}]}, "lines"),
        (
            {"lines": [{"item": item, "quantity": 1}], "supplier": PartnerFactory(is_supplier=False, is_customer=True)},
            "supplier",
        ),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationFailed) as error:
            receiving.create_expected_receipt(site=layout.site, user=layout.user, **kwargs)
        assert error.value.field == field
    assert ExpectedReceipt.objects.count() == 1


def test_receipt_within_tolerance_closes_the_line_and_the_receipt():
    layout = warehouse_layout()
    item = ItemFactory()
    receipt = expect(
        layout,
        {"item": item, "quantity": Decimal("100"), "under_tolerance_pct": Decimal("5")},
        {"item": item, "quantity": Decimal("10")},
    )
    first, second = receipt.lines.order_by("line_no")

    receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("60"), user=layout.user, line=first)
    receipt.refresh_from_db()
    first.refresh_from_db()
    assert receipt.status == ReceiptStatus.PARTIAL and not first.closed

    receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("35"), user=layout.user, line=first)
    first.refresh_from_db()
    receipt.refresh_from_db()
    assert first.closed and first.received_quantity == Decimal("95")  # 5 % short is within tolerance
    assert receipt.status == ReceiptStatus.PARTIAL  # line 2 still open

    move = receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("10"), user=layout.user, line=second)
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.RECEIVED
    assert move.to_bin == layout.receiving and move.reference == receipt.number
    assert on_hand(item, layout.receiving) == Decimal("105")


def test_over_receipt_beyond_tolerance_is_refused_with_nothing_booked():
    layout = warehouse_layout()
    item = ItemFactory()
    receipt = expect(layout, {"item": item, "quantity": Decimal("100"), "over_tolerance_pct": Decimal("10")})
    line = receipt.lines.get()
    receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("50"), user=layout.user, line=line)

    with pytest.raises(OverReceipt) as error:
        receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("61"), user=layout.user, line=line)

    assert error.value.code == "over_receipt" and error.value.status == 409
    assert "at most 60 more" in str(error.value.message)
    line.refresh_from_db()
    assert line.received_quantity == Decimal("50")
    assert on_hand(item, layout.receiving) == Decimal("50")
    # exactly up to the tolerance is fine, and then the delivery is complete
    receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("60"), user=layout.user, line=line)
    assert on_hand(item, layout.receiving) == Decimal("110")
    with pytest.raises(ReceiptNotOpen):
        receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("1"), user=layout.user, line=line)


def test_inspection_item_goes_to_quarantine_with_its_lot_and_tells_quality():
    layout = warehouse_layout()
    item = ItemFactory(tracking="lot", inspection_required=True, shelf_life_days=90)
    supplier = PartnerFactory()
    receipt = expect(layout, {"item": item, "quantity": Decimal("20")}, supplier=supplier)

    move = receiving.receive_goods(
        site=layout.site,
        item=item,
        quantity=Decimal("20"),
        user=layout.user,
        line=receipt.lines.get(),
        lot_code="SUP-778",
        lot_attributes={"supplier_lot": "X-1"},
    )

    lot = Lot.objects.get(item=item, code="SUP-778")
    assert move.to_bin == layout.quarantine
    assert lot.status == LotStatus.QUARANTINE and lot.supplier == supplier and lot.supplier_lot == "X-1"
    event = Event.objects.get(name="wms.receipt.inspection_required")
    assert event.payload["lot"] == "SUP-778" and event.payload["receipt"] == receipt.number


def test_inspection_item_refused_into_a_normal_bin_and_into_a_released_lot():
    layout = warehouse_layout()
    item = ItemFactory(tracking="lot", inspection_required=True)
    with pytest.raises(ValidationFailed) as error:
        receiving.receive_goods(
            site=layout.site, item=item, quantity=1, user=layout.user, lot_code="L1", to_bin=layout.raw
        )
    assert error.value.field == "to_bin"
    Lot.objects.create(item=item, code="OLD", site=layout.site, status=LotStatus.AVAILABLE)
    with pytest.raises(ValidationFailed) as error:
        receiving.receive_goods(site=layout.site, item=item, quantity=1, user=layout.user, lot_code="OLD")
    assert error.value.field == "lot"
    assert not StockMove.objects.filter(item=item).exists()


def test_free_receipt_to_a_chosen_bin_and_lot_rules_of_the_ledger():
    layout = warehouse_layout()
    plain = ItemFactory()
    move = receiving.receive_goods(site=layout.site, item=plain, quantity=4, user=layout.user, to_bin=layout.raw)
    assert move.to_bin == layout.raw and on_hand(plain, layout.raw) == Decimal("4")

    lot_item = ItemFactory(tracking="lot")
    with pytest.raises(ValidationFailed) as error:
        receiving.receive_goods(site=layout.site, item=lot_item, quantity=4, user=layout.user)
    assert error.value.code == "lot_required"

    serial = ItemFactory(tracking="serial")
    with pytest.raises(ValidationFailed) as error:
        receiving.receive_goods(site=layout.site, item=serial, quantity=2, user=layout.user, lot_code="SN1")
    assert error.value.field == "quantity"
    receiving.receive_goods(site=layout.site, item=serial, quantity=1, user=layout.user, lot_code="SN1")
    assert Lot.objects.get(item=serial, code="SN1").is_serial


def test_receipt_line_checks_item_bin_site_and_receipt_status():
    layout = warehouse_layout()
    other = warehouse_layout()
    item = ItemFactory()
    receipt = expect(layout, {"item": item, "quantity": Decimal("10")})
    line = receipt.lines.get()

    with pytest.raises(ValidationFailed) as error:
        receiving.receive_goods(site=layout.site, item=ItemFactory(), quantity=1, user=layout.user, line=line)
    assert error.value.field == "item"
    with pytest.raises(ValidationFailed) as error:
        receiving.receive_goods(site=layout.site, item=item, quantity=1, user=layout.user, to_bin=other.raw)
    assert error.value.field == "to_bin"
    with pytest.raises(NotFound):
        receiving.receive_goods(site=other.site, item=item, quantity=1, user=layout.user)

    receiving.cancel_expected_receipt(receipt=receipt, user=layout.user)
    with pytest.raises(ReceiptNotOpen):
        receiving.receive_goods(site=layout.site, item=item, quantity=1, user=layout.user, line=line)
    assert not StockMove.objects.filter(item=item).exists()


def test_close_and_cancel_follow_the_transitions_table():
    layout = warehouse_layout()
    item = ItemFactory()
    receipt = expect(layout, {"item": item, "quantity": Decimal("10")})
    with pytest.raises(InvalidTransition):
        receiving.close_expected_receipt(receipt=receipt, user=layout.user)

    receiving.receive_goods(site=layout.site, item=item, quantity=3, user=layout.user, line=receipt.lines.get())
    with pytest.raises(InvalidTransition):
        receiving.cancel_expected_receipt(receipt=receipt, user=layout.user)
    receipt = receiving.close_expected_receipt(receipt=receipt, user=layout.user)
    assert receipt.status == ReceiptStatus.RECEIVED
    assert receipt.lines.get().closed
    with pytest.raises(InvalidTransition):
        receiving.cancel_expected_receipt(receipt=receipt, user=layout.user)


def test_receiving_needs_a_receiving_bin():
    site = SiteFactory()
    user = UserFactory(roles=["warehouse"], sites=[site])
    BinFactory(zone=ZoneFactory(kind="raw", warehouse__site=site))
    with pytest.raises(DomainError) as error:
        receiving.receive_goods(site=site, item=ItemFactory(), quantity=1, user=user)
    assert error.value.code == "no_receiving_bin"


@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_on_one_line_never_exceed_the_tolerance():
    layout = warehouse_layout()
    item = ItemFactory()
    receipt = expect(layout, {"item": item, "quantity": Decimal("10"), "over_tolerance_pct": Decimal("0")})
    line = receipt.lines.get()
    outcomes = []
    barrier = threading.Barrier(2)

    def receive():
        try:
            barrier.wait()
            receiving.receive_goods(site=layout.site, item=item, quantity=Decimal("6"), user=layout.user, line=line)
            outcomes.append("ok")
        except OverReceipt:
            outcomes.append("over")
        finally:
            connection.close()

    threads = [threading.Thread(target=receive) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "over"]
    line.refresh_from_db()
    assert line.received_quantity == Decimal("6") and on_hand(item, layout.receiving) == Decimal("6")


@pytest.mark.django_db(transaction=True)
def test_concurrent_receipts_get_distinct_numbers():
    layout = warehouse_layout(SiteFactory(code="NB"))
    item = ItemFactory()
    numbers = []
    barrier = threading.Barrier(3)

    def create():
        try:
            barrier.wait()
            numbers.append(expect(layout, {"item": item, "quantity": 1}).number)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == ["GR-NB-000001", "GR-NB-000002", "GR-NB-000003"]


@pytest.mark.django_db
def test_receiving_a_code_another_site_released_neither_refuses_nor_touches_that_lot():
    """Lots are per site: Monterrey's released lot of the same code is not even looked at."""
    from tests.wms.factories import LotFactory

    shenzhen, monterrey = warehouse_layout(SiteFactory(code="SZ")), warehouse_layout(SiteFactory(code="MTY"))
    item = ItemFactory(tracking="lot", inspection_required=True)
    theirs = LotFactory(item=item, code="PCB2609", site=monterrey.site, status=LotStatus.AVAILABLE)

    move = receiving.receive_goods(site=shenzhen.site, item=item, quantity="3", lot_code="PCB2609", user=shenzhen.user)

    assert move.lot != theirs and move.lot.site == shenzhen.site and move.lot.status == LotStatus.QUARANTINE
    theirs.refresh_from_db()
    assert theirs.status == LotStatus.AVAILABLE and not StockQuant.objects.filter(lot=theirs).exists()
