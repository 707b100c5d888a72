"""The transactional outbox, drained by a real Celery worker on the Redis broker."""

import re
import time

import pytest
from django.db import transaction

from core.events import publish
from core.models import Event, OutboxMessage, Webhook
from core.services import outbox
from core.tasks import drain_outbox
from tests.factories import SiteFactory, UserFactory


class Rollback(Exception):
    pass


def _wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _hook(url):
    return Webhook.objects.create(name="MES bridge", url=url, secret="s3cret")


@pytest.mark.celery_worker
def test_worker_delivers_what_a_committed_transaction_published(webhook_receiver):
    site = SiteFactory(code="P1")
    _hook(webhook_receiver.url)

    with transaction.atomic():
        event = publish("wms.bin.blocked", {"item": "CMP-100", "quantity": "5"}, site=site)
        # Nothing leaves before the commit.
        assert OutboxMessage.objects.filter(event=event).count() == 2

    [request] = webhook_receiver.wait_for(1)
    assert request["headers"]["X-Event-Id"] == str(event.id)
    assert _wait_until(
        lambda: (
            set(OutboxMessage.objects.filter(event=event).values_list("status", flat=True))
            == {OutboxMessage.Status.DELIVERED}
        )
    )
    websocket = OutboxMessage.objects.get(event=event, channel=OutboxMessage.Channel.WEBSOCKET)
    assert websocket.target == "live.P1.wms"


@pytest.mark.celery_worker
def test_event_of_a_rolled_back_transaction_is_never_delivered(webhook_receiver, celery_worker):
    _hook(webhook_receiver.url)

    with pytest.raises(Rollback), transaction.atomic():
        publish("wms.bin.blocked", {"item": "GHOST"})
        raise Rollback

    assert not Event.objects.exists()
    assert not OutboxMessage.objects.exists()
    drain_outbox.delay()  # the sweep, through the broker and the worker
    with transaction.atomic():
        sentinel = publish("core.item.created", {"code": "REAL"}, live=False)

    requests = webhook_receiver.wait_for(1)
    time.sleep(0.3)  # room for anything else the worker might (wrongly) still send
    assert [r["headers"]["X-Event-Id"] for r in webhook_receiver.requests] == [str(sentinel.id)]
    assert b"GHOST" not in requests[0]["body"]


@pytest.mark.django_db
def test_subscriber_failure_leaves_no_delivery_behind(webhook_receiver):
    from core.events import subscribe, unsubscribe

    def refuse(event):
        raise Rollback

    _hook(webhook_receiver.url)
    subscribe("wms.bin.blocked")(refuse)
    try:
        with pytest.raises(Rollback), transaction.atomic():
            publish("wms.bin.blocked", {"item": "CMP-100"})
    finally:
        unsubscribe("wms.bin.blocked", refuse)

    assert not OutboxMessage.objects.exists()
    assert drain_outbox() == 0
    assert webhook_receiver.requests == []


@pytest.mark.django_db
def test_email_recipients_named_by_the_event_get_a_mail(mailoutbox):
    with transaction.atomic():
        event = publish(
            "qms.nonconformance.opened",
            {"subject": "NC-17 opened", "body": "Lot L1 on hold", "notify": ["qe@example.com"]},
            live=False,
        )
    message = OutboxMessage.objects.get(event=event, channel=OutboxMessage.Channel.EMAIL)

    assert outbox.deliver(message_id=message.pk) == OutboxMessage.Status.DELIVERED
    [mail] = mailoutbox
    assert mail.to == ["qe@example.com"]
    assert mail.subject == "NC-17 opened"


def _gauge(response, name):
    match = re.search(rf"^{name} (\S+)$", response.content.decode(), re.MULTILINE)
    return float(match.group(1))


@pytest.mark.django_db
def test_metrics_report_pending_deliveries(client, webhook_receiver):
    admin = UserFactory(roles=["admin"])
    client.force_login(admin)
    _hook(webhook_receiver.url)
    with transaction.atomic():
        first = publish("wms.bin.blocked", {"item": "A"}, live=False)
        publish("wms.bin.blocked", {"item": "B"}, live=False)

    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert _gauge(response, "core_outbox_pending") == 2

    outbox.deliver(message_id=OutboxMessage.objects.get(event=first).pk)
    assert _gauge(client.get("/metrics", REMOTE_ADDR="10.1.2.3"), "core_outbox_pending") == 1


@pytest.mark.django_db
def test_purge_forgets_old_deliveries_but_keeps_failures_and_events():
    from datetime import timedelta

    from django.utils import timezone

    from core.tasks import purge_outbox

    with transaction.atomic():
        events = [publish("wms.bin.blocked", {"n": n}) for n in range(3)]
    old, recent, failed = (OutboxMessage.objects.get(event=event) for event in events)
    long_ago = timezone.now() - timedelta(days=15)
    OutboxMessage.objects.filter(pk=old.pk).update(status=OutboxMessage.Status.DELIVERED, delivered_at=long_ago)
    OutboxMessage.objects.filter(pk=recent.pk).update(
        status=OutboxMessage.Status.DELIVERED, delivered_at=timezone.now() - timedelta(days=13)
    )
    OutboxMessage.objects.filter(pk=failed.pk).update(status=OutboxMessage.Status.FAILED, created_at=long_ago)

    assert purge_outbox(days=14) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, failed.pk}
    assert Event.objects.count() == 3


@pytest.mark.django_db
def test_events_past_the_retention_are_purged_unless_a_delivery_is_still_owed(settings):
    from datetime import timedelta

    from django.utils import timezone

    from core.services.outbox import purge_events

    with transaction.atomic():
        old, owed, recent = (publish("wms.bin.blocked", {"n": n}) for n in range(3))
    long_ago = timezone.now() - timedelta(days=120)
    Event.objects.filter(pk__in=[old.pk, owed.pk]).update(occurred_at=long_ago)
    OutboxMessage.objects.filter(event__in=[old, recent]).update(status=OutboxMessage.Status.DELIVERED)
    settings.EVENT_RETENTION_DAYS = 90

    assert purge_events() == 1
    assert set(Event.objects.values_list("pk", flat=True)) == {owed.pk, recent.pk}
