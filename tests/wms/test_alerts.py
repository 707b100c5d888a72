from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import Event
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, StockPolicyFactory, backdate_move, stock_in
from wms.models import AlertKind, InventoryAlert, Lot, LotStatus
from wms.services import alerts
from wms.services.ledger import post_move
from wms.services.lots import hold_lot

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def worker_runs_at_once(monkeypatch):
    """The alert re-checks run after commit in the worker; inside a test's transaction (which
    never commits) the worker is stood in for by delivering each transaction's outbox at once."""
    import core.events
    from core.services import outbox

    monkeypatch.setattr(core.events, "wake_worker_after_commit", lambda ids: outbox.deliver_many(message_ids=ids))


@pytest.fixture
def bin_():
    return BinFactory()


@pytest.fixture
def site(bin_):
    return bin_.warehouse.site


@pytest.fixture
def user(site):
    return UserFactory(roles=["warehouse"], sites=[site])


def open_keys(site, kind):
    return set(
        InventoryAlert.objects.filter(site=site, kind=kind, resolved_at__isnull=True).values_list("key", flat=True)
    )


def test_below_reorder_point_raised_on_move_and_resolved_by_receipt(bin_, site, user):
    item = ItemFactory()
    StockPolicyFactory(site=site, item=item, reorder_point=Decimal("10"), safety_stock=Decimal("0"))
    stock_in(bin=bin_, item=item, quantity=12)
    assert open_keys(site, AlertKind.BELOW_REORDER) == set()

    post_move(kind="issue", item=item, quantity=Decimal("5"), from_bin=bin_, user=user)

    alert = InventoryAlert.objects.get(site=site, kind=AlertKind.BELOW_REORDER, resolved_at__isnull=True)
    assert alert.item == item and alert.details["on_hand"] == "7"
    assert Event.objects.filter(name="wms.alert.raised", payload__alert=alert.pk, payload__item=item.code).exists()

    stock_in(bin=bin_, item=item, quantity=10)

    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert Event.objects.filter(name="wms.alert.resolved", payload__alert=alert.pk).exists()


def test_below_safety_stock_by_evaluation(bin_, site, user):
    item = ItemFactory()
    stock_in(bin=bin_, item=item, quantity=3)
    StockPolicyFactory(site=site, item=item, reorder_point=Decimal("10"), safety_stock=Decimal("5"))

    result = alerts.evaluate_alerts(site=site)

    assert result["raised"] == 2 and result["open"] == 2
    assert open_keys(site, AlertKind.BELOW_SAFETY) == {f"below_safety:{item.pk}"}
    assert alerts.evaluate_alerts(site=site) == {"raised": 0, "resolved": 0, "open": 2}

    stock_in(bin=bin_, item=item, quantity=4)  # 7: above safety, still below reorder
    assert open_keys(site, AlertKind.BELOW_SAFETY) == set()
    assert open_keys(site, AlertKind.BELOW_REORDER) == {f"below_reorder:{item.pk}"}


def test_held_lot_does_not_count_as_available_stock(bin_, site, user):
    lot = LotFactory(site=site)
    stock_in(bin=bin_, item=lot.item, quantity=20, lot=lot)
    StockPolicyFactory(site=site, item=lot.item, reorder_point=Decimal("10"))
    assert open_keys(site, AlertKind.BELOW_REORDER) == set()

    hold_lot(lot=lot, user=user, reason="suspect")

    assert open_keys(site, AlertKind.BELOW_REORDER) == {f"below_reorder:{lot.item_id}"}


def test_expiring_lot_raised_and_resolved_when_used_up(bin_, site, user):
    today = timezone.localdate(timezone=site.tzinfo)
    soon = LotFactory(site=site, expiry=today + timedelta(days=10))
    later = LotFactory(site=site, item=soon.item, expiry=today + timedelta(days=100))
    stock_in(bin=bin_, item=soon.item, quantity=5, lot=soon)
    stock_in(bin=bin_, item=soon.item, quantity=5, lot=later)

    alerts.evaluate_alerts(site=site, today=today)
    assert open_keys(site, AlertKind.EXPIRING) == {f"expiring:{soon.pk}"}

    post_move(kind="issue", item=soon.item, lot=soon, quantity=Decimal("5"), from_bin=bin_, user=user)
    result = alerts.evaluate_alerts(site=site, today=today)

    assert result["resolved"] == 1
    assert open_keys(site, AlertKind.EXPIRING) == set()


def test_expired_lot_still_available_raised_until_status_changes(bin_, site, user):
    today = timezone.localdate(timezone=site.tzinfo)
    lot = LotFactory(site=site, expiry=today + timedelta(days=5))
    stock_in(bin=bin_, item=lot.item, quantity=5, lot=lot)

    alerts.evaluate_alerts(site=site, today=today + timedelta(days=6))
    alert = InventoryAlert.objects.get(site=site, kind=AlertKind.EXPIRED_AVAILABLE)
    assert alert.severity == "critical" and alert.lot == lot
    assert open_keys(site, AlertKind.EXPIRING) == set()

    Lot.objects.filter(pk=lot.pk).update(status=LotStatus.EXPIRED)
    alerts.evaluate_alerts(site=site, today=today + timedelta(days=6))
    alert.refresh_from_db()
    assert alert.resolved_at is not None


def test_bin_over_capacity_raised_and_resolved():
    small = BinFactory(max_lots=1)
    site = small.warehouse.site
    user = UserFactory(roles=["warehouse"], sites=[site])
    a, b = ItemFactory(), ItemFactory()
    stock_in(bin=small, item=a, quantity=1)
    # a count correction may put a second item where only one fits (adjustments ignore capacity)
    post_move(kind="adjustment", item=b, quantity=Decimal("1"), to_bin=small, user=user, reason="found")

    alerts.evaluate_alerts(site=site)
    alert = InventoryAlert.objects.get(site=site, kind=AlertKind.BIN_OVER_CAPACITY, resolved_at__isnull=True)
    assert alert.bin == small and alert.details["lots"] == 2

    post_move(kind="scrap", item=b, quantity=Decimal("1"), from_bin=small, user=user)
    alerts.evaluate_alerts(site=site)
    assert open_keys(site, AlertKind.BIN_OVER_CAPACITY) == set()


def test_bin_over_weight():
    heavy = BinFactory(max_weight_kg=Decimal("100"))
    user = UserFactory(roles=["warehouse"], sites=[heavy.warehouse.site])
    item = ItemFactory(unit_weight_kg=Decimal("30"))
    post_move(kind="adjustment", item=item, quantity=Decimal("4"), to_bin=heavy, user=user, reason="found")
    alerts.evaluate_alerts(site=heavy.warehouse.site)
    alert = InventoryAlert.objects.get(kind=AlertKind.BIN_OVER_CAPACITY, bin=heavy)
    assert "120" in alert.message and "kg" in alert.message


def test_slow_mover_raised_and_resolved_by_an_issue(bin_, site, user):
    item = ItemFactory()
    fresh = ItemFactory()
    receipt = stock_in(bin=bin_, item=item, quantity=10)
    backdate_move(receipt, timezone.now() - timedelta(days=120))
    stock_in(bin=bin_, item=fresh, quantity=10)  # received today: not slow yet

    alerts.evaluate_alerts(site=site, slow_mover_days=90)
    assert open_keys(site, AlertKind.SLOW_MOVER) == {f"slow_mover:{item.pk}"}

    post_move(kind="issue", item=item, quantity=Decimal("1"), from_bin=bin_, user=user)
    alerts.evaluate_alerts(site=site, slow_mover_days=90)
    assert open_keys(site, AlertKind.SLOW_MOVER) == set()


def test_alerts_are_per_site(bin_, site, user):
    other_bin = BinFactory()
    item = ItemFactory()
    StockPolicyFactory(site=site, item=item, reorder_point=Decimal("10"))
    stock_in(bin=other_bin, item=item, quantity=50)  # plenty at the other site does not help here

    alerts.evaluate_alerts(site=site)
    alerts.evaluate_alerts(site=other_bin.warehouse.site)

    assert open_keys(site, AlertKind.BELOW_REORDER) == {f"below_reorder:{item.pk}"}
    assert InventoryAlert.objects.filter(site=other_bin.warehouse.site).count() == 0


def test_periodic_task_evaluates_every_active_site(bin_, site):
    from wms.tasks import evaluate_inventory_alerts

    item = ItemFactory()
    StockPolicyFactory(site=site, item=item, reorder_point=Decimal("5"))

    result = evaluate_inventory_alerts()

    assert result[site.code] == {"raised": 1, "resolved": 0, "open": 1}


def test_an_alert_reads_in_the_readers_language(bin_, site, user):
    from django.utils import translation

    item = ItemFactory(code="FAN-X")
    StockPolicyFactory(site=site, item=item, reorder_point=Decimal("10"), safety_stock=Decimal("0"))
    stock_in(bin=bin_, item=item, quantity=4)
    alerts.evaluate_alerts(site=site)
    alert = InventoryAlert.objects.get(site=site, kind=AlertKind.BELOW_REORDER, resolved_at__isnull=True)

    with translation.override("en"):
        english = alert.text
    with translation.override("zh-hans"):
        chinese = alert.text

    assert english == alert.message == "FAN-X: 4 pcs available, below the reorder point of 10."
    assert chinese != english and "FAN-X" in chinese and "再订货点" in chinese
