"""Lots: creation with expiry from shelf life, and the status machine."""

import datetime
from decimal import Decimal

import pytest

from core.errors import InvalidTransition, SignatureInvalid
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, stock_in
from wms.models import LotStatus
from wms.services import lots
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


def test_expiry_defaults_to_manufacture_plus_shelf_life():
    item = ItemFactory(tracking="lot", shelf_life_days=90)
    lot = lots.create_lot(
        item=item, code="L1", site=SiteFactory(), user=UserFactory(), manufactured_on=datetime.date(2025, 1, 1)
    )
    assert lot.expiry == datetime.date(2025, 4, 1)


def test_quarantined_lot_is_released_and_the_history_says_who_and_why():
    lot = LotFactory(status=LotStatus.QUARANTINE)
    inspector = UserFactory(roles=["quality"], sites=[lot.site])

    lots.release_lot(lot=lot, user=inspector, password="correct-horse-battery", reason="incoming inspection passed")

    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE and lot.status_reason == "incoming inspection passed"
    latest = lot.history.first()
    assert latest.history_user == inspector and latest.status == LotStatus.AVAILABLE


def test_a_release_with_a_wrong_password_says_so_before_asking_for_the_reason():
    lot = LotFactory(status=LotStatus.QUARANTINE)
    inspector = UserFactory(roles=["quality"], sites=[lot.site])
    with pytest.raises(SignatureInvalid):
        lots.release_lot(lot=lot, user=inspector, password="wrong", reason="")
    lot.refresh_from_db()
    assert lot.status == LotStatus.QUARANTINE


def test_transition_outside_the_table_is_refused():
    lot = LotFactory(status=LotStatus.REJECTED)
    with pytest.raises(InvalidTransition):
        lots.change_lot_status(lot=lot, status=LotStatus.AVAILABLE, user=UserFactory(sites=[lot.site]))
    lot.refresh_from_db()
    assert lot.status == LotStatus.REJECTED


def test_issuing_the_last_piece_consumes_the_lot_and_a_return_revives_it():
    bin_ = BinFactory()
    lot = LotFactory(site=bin_.warehouse.site)
    user = UserFactory(sites=[bin_.warehouse.site])
    stock_in(bin=bin_, item=lot.item, quantity=2, lot=lot, user=user)

    post_move(kind="issue", item=lot.item, lot=lot, quantity=Decimal(2), from_bin=bin_, user=user)
    lot.refresh_from_db()
    assert lot.status == LotStatus.CONSUMED

    post_move(kind="return", item=lot.item, lot=lot, quantity=Decimal(1), to_bin=bin_, user=user)
    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE
