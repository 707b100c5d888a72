"""The demo plant: what a visitor finds after `make run`, and that loading it twice changes nothing."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from core.demo import DEMO_PASSWORD
from core.models import Company, ExchangeRate, Item, ItemType, Role, Site, Tracking, User
from wms.models import (
    Bin,
    ExpectedReceipt,
    ExpectedReceiptLine,
    Lot,
    LotStatus,
    PickLine,
    PickList,
    StockMove,
    StockPolicy,
    StockQuant,
    Warehouse,
    ZoneKind,
)

pytestmark = pytest.mark.django_db


def _row_counts():
    return {
        model._meta.label: model.objects.count() for model in apps.get_models() if model._meta.app_label != "sessions"
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction that is rolled back at its end; each test
    runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_running_seed_demo_twice_changes_nothing(seeded):
    before = _row_counts()
    quantities = dict(StockQuant.objects.values_list("pk", "quantity"))

    call_command("seed_demo", verbosity=0)

    assert _row_counts() == before
    assert dict(StockQuant.objects.values_list("pk", "quantity")) == quantities


def test_company_trades_in_cny_with_dated_rates_for_other_currencies(seeded):
    company = Company.objects.get()
    assert company.base_currency.code == "CNY"
    quoted = set(ExchangeRate.objects.filter(to_currency__code="CNY").values_list("from_currency__code", flat=True))
    assert {"USD", "EUR"} <= quoted
    assert ExchangeRate.objects.filter(from_currency__code="USD").values("valid_from").distinct().count() >= 2


def test_two_plants_in_two_time_zones(seeded):
    zones = dict(Site.objects.values_list("code", "time_zone"))
    assert zones == {"SZ": "Asia/Shanghai", "MTY": "America/Monterrey"}


def test_items_of_every_type_and_tracking(seeded):
    assert set(Item.objects.values_list("type", flat=True)) == set(ItemType.values)
    assert set(Item.objects.values_list("tracking", flat=True)) == set(Tracking.values)
    refrigerant = Item.objects.get(code="R32")
    assert refrigerant.base_unit.code == "kg"
    assert refrigerant.hazard_class == "pressurised"
    assert refrigerant.tracking == "lot" and refrigerant.shelf_life_days
    screws = Item.objects.get(code="SCR-M4X10")
    assert screws.unit_conversions.get(unit__code="box").factor == 500
    assert Item.objects.filter(standard_cost__lte=0).count() == 0


def test_each_warehouse_has_bins_in_every_zone_kind(seeded):
    for warehouse in Warehouse.objects.all():
        kinds = set(Bin.objects.filter(warehouse=warehouse).values_list("zone__kind", flat=True))
        assert kinds == set(ZoneKind.values), warehouse.code
        codes = list(Bin.objects.filter(warehouse=warehouse).values_list("code", flat=True))
        assert all(code.startswith(f"{warehouse.code}-") and code.count("-") == 4 for code in codes)
    sequences = list(Bin.objects.filter(warehouse__code="SZ1").values_list("pick_sequence", flat=True))
    assert len(set(sequences)) == len(sequences)


def test_on_hand_stock_is_what_the_ledger_says(seeded):
    for quant in StockQuant.objects.all():
        moves = StockMove.objects.filter(item=quant.item, lot=quant.lot)
        moved_in = sum(m.quantity for m in moves.filter(to_bin=quant.bin))
        moved_out = sum(m.quantity for m in moves.filter(from_bin=quant.bin))
        assert moved_in - moved_out == quant.quantity
    assert StockMove.objects.filter(kind="issue", reference="WO-SZ-0000").count() >= 5
    assert StockPolicy.objects.filter(site__code="SZ", reorder_point__gt=0).count() >= 10


def test_some_lots_need_attention(seeded):
    statuses = set(Lot.objects.values_list("status", flat=True))
    assert {LotStatus.AVAILABLE, LotStatus.QUARANTINE, LotStatus.ON_HOLD} <= statuses
    soon = timezone.localdate() + timedelta(days=30)
    expiring = Lot.objects.filter(expiry__lte=soon, expiry__gte=timezone.localdate(), stock__quantity__gt=0)
    assert expiring.exists()
    quarantined = StockQuant.objects.filter(lot__status=LotStatus.QUARANTINE, quantity__gt=0)
    assert quarantined.exists()
    assert all(q.bin.zone.kind in ("receiving", "quarantine") for q in quarantined)
    assert Lot.objects.filter(is_serial=True, item__code="FG-RC25", stock__quantity=1).count() >= 2


def test_one_user_per_role_signs_in_with_the_demo_password(seeded):
    for role in Role.values:
        assert User.objects.filter(groups__name=role).exists(), role
    for username in ("operator", "operator_mty", "warehouse", "admin"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None
    badge = User.objects.get(username="operator").badge_id
    assert authenticate(username=badge, password=DEMO_PASSWORD).username == "operator"


def test_admin_sees_both_sites_and_everyone_else_one(seeded):
    admin = User.objects.get(username="admin")
    assert set(Site.objects.for_user(admin).values_list("code", flat=True)) == {"SZ", "MTY"}
    for user in User.objects.exclude(username="admin"):
        assert Site.objects.for_user(user).count() == 1, user.username
    assert list(Site.objects.for_user(User.objects.get(username="operator_mty")).values_list("code", flat=True)) == [
        "MTY"
    ]


def test_seed_demo_prints_the_logins_only_when_asked(seeded, capsys):
    call_command("seed_demo")
    quiet = capsys.readouterr().out
    assert DEMO_PASSWORD not in quiet
    call_command("seed_demo", "--show-logins")
    shown = capsys.readouterr().out
    assert DEMO_PASSWORD in shown and "operator_mty" in shown
    assert "nothing changed" in shown


def test_demo_documents_are_numbered_like_new_ones(seeded):
    # One numbering: the demo's documents come from the same per-site sequence as a new one.
    from wms.services.receiving import create_expected_receipt

    site = Site.objects.get(code="SZ")
    demo = sorted(ExpectedReceipt.objects.filter(site=site).values_list("number", flat=True))
    assert demo == ["GR-SZ-000001", "GR-SZ-000002", "GR-SZ-000003"]
    assert sorted(PickList.objects.filter(site=site).values_list("number", flat=True))[:2] == [
        "PL-SZ-000001",
        "PL-SZ-000002",
    ]
    planner = User.objects.get(username="planner")
    new = create_expected_receipt(
        site=site, lines=[{"item": Item.objects.get(code="R32"), "quantity": 1}], user=planner
    )
    assert new.number == "GR-SZ-000004"


def test_open_deliveries_and_pick_lists_wait_for_the_warehouse(seeded):
    receipts = ExpectedReceipt.objects.filter(status="open")
    assert set(receipts.values_list("site__code", flat=True)) == {"SZ", "MTY"}
    screws = ExpectedReceiptLine.objects.get(receipt__reference="PO-MTY-7700045", item__code="SCR-M4X10")
    assert screws.quantity == 20 * 500  # ordered in boxes, expected in pieces
    staging = PickList.objects.get(site__code="SZ", reference="WO-SZ-0001")
    assert staging.status == "open" and staging.destination_bin.zone.kind == "wip"
    lines = PickLine.objects.filter(pick_list__site__code="SZ", pick_list__status="open")
    assert lines.exists()
    assert not lines.filter(bin__isnull=True).exists()  # everything could be allocated
    assert not lines.exclude(lot__isnull=True).exclude(lot__status=LotStatus.AVAILABLE).exists()
