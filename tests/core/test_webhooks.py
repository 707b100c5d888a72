"""Webhook deliveries from the outbox to a real HTTP receiver on 127.0.0.1."""

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from core.events import publish
from core.models import Event, OutboxMessage, Webhook
from core.services import outbox
from core.tasks import drain_outbox
from tests.factories import SiteFactory

SECRET = "whsec-0123456789"


def _hook(receiver_url, *, events=None, name="ERP bridge"):
    return Webhook.objects.create(name=name, url=receiver_url, secret=SECRET, events=events or [])


def _publish(name="wms.bin.blocked", payload=None, site=None):
    with transaction.atomic():
        return publish(name, payload or {"item": "CMP-100", "quantity": "5.000"}, site=site, live=False)


def _webhook_message(event, hook):
    return OutboxMessage.objects.get(event=event, webhook=hook)


def _verified(request) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["X-Signature-256"], expected)


@pytest.mark.django_db
def test_receiver_gets_signed_body_with_event_id(webhook_receiver):
    site = SiteFactory(code="P1")
    hook = _hook(webhook_receiver.url)
    event = _publish(payload={"item": "CMP-100", "quantity": "5.000"}, site=site)

    status = outbox.deliver(message_id=_webhook_message(event, hook).pk)

    assert status == OutboxMessage.Status.DELIVERED
    [request] = webhook_receiver.requests
    assert _verified(request)
    assert request["headers"]["X-Event-Id"] == str(event.id)
    assert request["headers"]["X-Event-Name"] == "wms.bin.blocked"
    body = json.loads(request["body"])
    assert body == {
        "id": str(event.id),
        "event": "wms.bin.blocked",
        "occurred_at": event.occurred_at.isoformat(),
        "site": "P1",
        "data": {"item": "CMP-100", "quantity": "5.000"},
    }
    message = _webhook_message(event, hook)
    assert message.delivered_at is not None and message.attempts == 1


@pytest.mark.django_db
def test_signature_covers_the_exact_body(webhook_receiver):
    hook = _hook(webhook_receiver.url)
    event = _publish()
    outbox.deliver(message_id=_webhook_message(event, hook).pk)

    [request] = webhook_receiver.requests
    tampered = dict(request, body=request["body"].replace(b"CMP-100", b"CMP-999"))
    assert _verified(request)
    assert not _verified(tampered)


@pytest.mark.django_db
def test_failed_delivery_backs_off_then_succeeds_once(webhook_receiver):
    webhook_receiver.answers = [500]
    hook = _hook(webhook_receiver.url)
    event = _publish()
    message = _webhook_message(event, hook)

    before = timezone.now()
    assert outbox.deliver(message_id=message.pk) == OutboxMessage.Status.PENDING
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.last_error == "HTTP 500"
    assert before + timedelta(seconds=9) < message.next_attempt_at < timezone.now() + timedelta(seconds=11)

    # The sweep leaves it alone until the backoff has run out ...
    assert drain_outbox() == 0
    assert len(webhook_receiver.requests) == 1

    # ... and sends it again once it has.
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert drain_outbox() == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.attempts == 2
    assert message.last_error == ""

    # Delivered: neither another sweep nor a duplicated task sends it again.
    assert drain_outbox() == 0
    assert outbox.deliver(message_id=message.pk) == outbox.SKIPPED
    requests = webhook_receiver.requests
    assert len(requests) == 2
    assert {r["headers"]["X-Event-Id"] for r in requests} == {str(event.id)}


@pytest.mark.django_db
def test_backoff_grows_and_gives_up_after_max_attempts(webhook_receiver, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    webhook_receiver.answers = [503, 503, 503, 503]
    hook = _hook(webhook_receiver.url)
    message = _webhook_message(_publish(), hook)

    waits = []
    for _ in range(3):
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        started = timezone.now()
        status = outbox.deliver(message_id=message.pk)
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - started).total_seconds()))

    assert status == OutboxMessage.Status.FAILED
    assert message.attempts == 3
    assert waits[:2] == [10, 20]
    assert drain_outbox() == 0
    assert len(webhook_receiver.requests) == 3


@pytest.mark.django_db
def test_unreachable_receiver_keeps_the_message_pending():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    hook = _hook(f"http://127.0.0.1:{port}/hook")
    message = _webhook_message(_publish(), hook)

    assert outbox.deliver(message_id=message.pk) == OutboxMessage.Status.PENDING
    message.refresh_from_db()
    assert "refused" in message.last_error.lower()


@pytest.mark.django_db
def test_each_webhook_gets_each_event_once_and_only_what_it_wants(webhook_receiver):
    other = type(webhook_receiver)()
    try:
        all_events = _hook(webhook_receiver.url, name="Data lake")
        wms_only = _hook(other.url, events=["wms.*"], name="Warehouse robot")
        moved = _publish("wms.bin.blocked")
        created = _publish("core.item.created", {"code": "CMP-100"})

        assert drain_outbox() == 3
        assert drain_outbox() == 0
        for message in OutboxMessage.objects.all():
            assert outbox.deliver(message_id=message.pk) == outbox.SKIPPED

        assert sorted(r["headers"]["X-Event-Id"] for r in webhook_receiver.requests) == sorted(
            [str(moved.id), str(created.id)]
        )
        assert [r["headers"]["X-Event-Id"] for r in other.requests] == [str(moved.id)]
        assert not OutboxMessage.objects.filter(webhook=wms_only, event=created).exists()
        assert OutboxMessage.objects.filter(webhook=all_events).count() == 2
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_deliveries_reach_the_webhook_once(webhook_receiver):
    webhook_receiver.delay = 0.5  # the first delivery holds its row lock while the second tries
    hook = _hook(webhook_receiver.url)
    # Rows written directly: publish() would deliver on commit (tasks run eagerly here).
    event = Event.objects.create(name="wms.bin.blocked", payload={"item": "CMP-100"})
    message = OutboxMessage.objects.create(event=event, channel=OutboxMessage.Channel.WEBHOOK, webhook=hook)
    start = threading.Barrier(2)
    results = []

    def attempt():
        try:
            start.wait()
            results.append(outbox.deliver(message_id=message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert sorted(results) == sorted([OutboxMessage.Status.DELIVERED, outbox.SKIPPED])
    assert len(webhook_receiver.requests) == 1
    assert drain_outbox() == 0
    assert len(webhook_receiver.requests) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.DELIVERED and message.attempts == 1


@pytest.mark.django_db
def test_a_webhook_deactivated_before_delivery_is_not_called(webhook_receiver):
    hook = _hook(webhook_receiver.url)
    message = _webhook_message(_publish(), hook)
    Webhook.objects.filter(pk=hook.pk).update(active=False)

    assert outbox.deliver(message_id=message.pk) == OutboxMessage.Status.FAILED
    assert webhook_receiver.requests == []
    assert drain_outbox() == 0
