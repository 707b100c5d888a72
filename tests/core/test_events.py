"""Domain events: stored with the change, subscribers in the same transaction."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import transaction

from core.events import publish, subscribe, unsubscribe
from core.models import Event, Item, OutboxMessage
from core.services.master_data import create_record
from tests.factories import SiteFactory, UnitFactory, UserFactory


@pytest.fixture
def subscribed():
    """Register handlers for one test only."""
    registered = []

    def add(name, handler):
        subscribe(name)(handler)
        registered.append((name, handler))
        return handler

    yield add
    for name, handler in registered:
        unsubscribe(name, handler)


class Refused(Exception):
    pass


def test_publish_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        publish("core.item.created", {"code": "X"})


@pytest.mark.django_db
def test_subscriber_sees_the_event_inside_the_publishing_transaction(subscribed):
    site = SiteFactory(code="P1")
    seen = []
    subscribed("wms.stock.moved", lambda event: seen.append((event.name, event.site.code, event.payload)))

    with transaction.atomic():
        event = publish("wms.stock.moved", {"item": "CMP-100"}, site=site)
        assert seen == [("wms.stock.moved", "P1", {"item": "CMP-100"})]

    assert Event.objects.get(pk=event.pk).payload == {"item": "CMP-100"}


@pytest.mark.django_db
def test_wildcard_subscribers_get_their_prefix_only(subscribed):
    got = []
    subscribed("wms.*", lambda event: got.append(event.name))

    with transaction.atomic():
        publish("wms.stock.moved", {}, live=False)
        publish("wms.lot.created", {}, live=False)
        publish("mes.operation.started", {}, live=False)

    assert got == ["wms.stock.moved", "wms.lot.created"]


@pytest.mark.django_db
def test_a_failing_subscriber_rolls_back_the_change_and_its_event(subscribed):
    admin = UserFactory(roles=["admin"])
    unit = UnitFactory()

    def refuse(event):
        raise Refused

    subscribed("core.item.created", refuse)

    with pytest.raises(Refused):
        create_record(
            model=Item,
            user=admin,
            data={"code": "CMP-100", "name": "Bracket", "type": "raw", "base_unit": unit},
        )

    assert not Item.objects.filter(code="CMP-100").exists()
    assert not Event.objects.filter(name="core.item.created").exists()
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_what_a_subscriber_writes_commits_with_the_change(subscribed):
    admin = UserFactory(roles=["admin"])
    unit = UnitFactory()
    subscribed(
        "core.item.created",
        lambda event: publish("erp.costing.requested", {"item": event.payload["code"]}, live=False),
    )

    item = create_record(
        model=Item, user=admin, data={"code": "CMP-200", "name": "Shaft", "type": "raw", "base_unit": unit}
    )

    assert Event.objects.filter(name="erp.costing.requested", payload__item=item.code).count() == 1


@pytest.mark.django_db
def test_payload_is_stored_as_json(subscribed):
    ident = uuid.uuid4()
    when = datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)

    with transaction.atomic():
        event = publish("wms.stock.moved", {"quantity": Decimal("12.500"), "at": when, "ref": ident}, live=False)

    stored = Event.objects.get(pk=event.pk).payload
    assert stored == {"quantity": "12.500", "at": "2026-03-01T08:30:00Z", "ref": str(ident)}


@pytest.mark.django_db
def test_a_subscriber_registered_twice_runs_once(subscribed):
    calls = []

    def handler(event):
        calls.append(event.pk)

    subscribed("wms.stock.moved", handler)
    subscribed("wms.stock.moved", handler)

    with transaction.atomic():
        publish("wms.stock.moved", {}, live=False)

    assert len(calls) == 1


@pytest.mark.django_db
def test_live_events_get_one_push_to_their_site_topic_group():
    site = SiteFactory(code="P2")
    with transaction.atomic():
        live = publish("mes.equipment.state_changed", {"state": "down"}, site=site)
        quiet = publish("core.user.created", {"id": 1}, live=False)

    [push] = OutboxMessage.objects.filter(event=live)
    assert (push.channel, push.target) == (OutboxMessage.Channel.WEBSOCKET, "live.P2.mes")
    assert not OutboxMessage.objects.filter(event=quiet).exists()


# After-commit subscribers, batch signals, the webhook cache


@pytest.mark.django_db(transaction=True)
def test_an_after_commit_subscriber_runs_from_the_outbox_once_the_change_commits():
    from core.events import handler_name

    seen = []

    def recheck(event):
        seen.append(event.payload["n"])

    subscribe("core.test.changed", after_commit=True)(recheck)
    try:
        with transaction.atomic():
            event = publish("core.test.changed", {"n": 1}, live=False)
            assert seen == []  # not inside the mover's transaction
            row = OutboxMessage.objects.get(event=event)
            assert row.channel == OutboxMessage.Channel.HANDLER and row.target == handler_name(recheck)
        assert seen == [1]  # the (eager) worker ran it after commit
        assert OutboxMessage.objects.get(event=event).status == OutboxMessage.Status.DELIVERED
    finally:
        unsubscribe("core.test.changed", recheck)


@pytest.mark.django_db(transaction=True)
def test_a_failing_after_commit_subscriber_leaves_the_change_and_retries_later():
    def broken(event):
        raise Refused

    subscribe("core.test.changed", after_commit=True)(broken)
    try:
        with transaction.atomic():
            event = publish("core.test.changed", {"n": 2}, live=False)
        assert Event.objects.filter(pk=event.pk).exists()
        row = OutboxMessage.objects.get(event=event)
        assert row.status == OutboxMessage.Status.PENDING and row.attempts == 1 and "Refused" in row.last_error
    finally:
        unsubscribe("core.test.changed", broken)


@pytest.mark.django_db(transaction=True)
def test_one_transaction_wakes_the_worker_once(monkeypatch):
    import core.events

    wake_ups = []
    monkeypatch.setitem(core.events._worker, "wake", wake_ups.append)
    with transaction.atomic():
        first = publish("wms.bin.blocked", {"bin": "A"})
        second = publish("wms.bin.blocked", {"bin": "B"})
    ids = set(OutboxMessage.objects.filter(event__in=[first, second]).values_list("pk", flat=True))
    assert len(wake_ups) == 1 and set(wake_ups[0]) == ids and len(ids) == 2


def test_batch_signals_reach_their_handlers_and_store_nothing():
    """No database in this test: a signal that stored anything would fail it. (A name of its
    own: `mes.telemetry` has the alert rules' handler, which reads the database.)"""
    from core.events import off_signal, on_signal, signal

    batches = []
    on_signal("tests.telemetry")(batches.append)
    try:
        assert signal("tests.telemetry", [{"tag": "temp", "value": 71.5}] * 500) == 1
        assert len(batches) == 1 and len(batches[0]) == 500
    finally:
        off_signal("tests.telemetry", batches.append)


@pytest.mark.django_db
def test_a_new_webhook_gets_the_next_event_at_once_from_the_cache():
    from core.events import active_webhooks
    from core.models import Webhook

    with transaction.atomic():
        publish("wms.bin.blocked", {"bin": "A"})  # fills the cache: no webhooks
    hook = Webhook.objects.create(name="ERP", url="http://erp.example/hook", secret="s")
    assert [h.pk for h in active_webhooks()] == [hook.pk]
    with transaction.atomic():
        event = publish("wms.bin.blocked", {"bin": "B"})
    assert OutboxMessage.objects.filter(event=event, webhook=hook).exists()
