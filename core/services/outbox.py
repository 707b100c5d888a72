"""The transactional outbox: deliveries written with the business change, sent after commit.

`core.events.queue_deliveries` writes the rows inside the publishing transaction and wakes the
worker once after commit; `deliver` is called by the Celery task for each message and is safe to run twice at once (the
row lock and the status make the second call a no-op), so each webhook gets each event id at
most once. A failed attempt is retried by the periodic sweep (`due_message_ids`, run by the
`core.tasks.drain_outbox` beat entry) after an exponential backoff, until
OUTBOX_MAX_ATTEMPTS, and then the message is FAILED. Receivers can also de-duplicate on the
`X-Event-Id` header.
"""

import hashlib
import hmac
import http.client
import json
import logging
import os
import queue
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core import events
from core.events import after_commit_handler, live_group, queue_deliveries  # noqa: F401  (re-exported)
from core.models import Event, OutboxMessage

logger = logging.getLogger(__name__)


# The Celery task that delivers outbox ids: core.tasks registers it when it is imported (the core
# app's ready() does), so this module does not import the tasks that import it.
_delivery: dict[str, object] = {"task": None}


def set_delivery_task(task) -> None:
    _delivery["task"] = task


def _send_wake_up(message_ids: list[int]) -> None:
    """One task for `message_ids`. If the broker is down they stay pending for the sweep:
    `retry=False` (and the broker's `max_retries: 0` transport option) make a dead broker fail
    at once instead of holding anything up."""
    from kombu.exceptions import KombuError

    task = _delivery["task"]
    if task is None:
        logger.warning("no outbox delivery task registered; %d message(s) wait for the sweep", len(message_ids))
        return
    try:
        task.apply_async((message_ids,), retry=False)
    except KombuError as exc:
        logger.warning("broker unreachable, %d outbox message(s) wait for the sweep: %s", len(message_ids), exc)


class _Waker:
    """Hands committed outbox ids to the broker from one background thread per process, so the
    request that committed does not wait for the broker, and transactions committing within
    COALESCE_SECONDS of each other share one message. Ids of a process that dies before sending are
    delivered by the periodic sweep (`drain_outbox`), like those of a broker outage."""

    COALESCE_SECONDS = 0.05

    def __init__(self):
        self._queue: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._pid: int | None = None
        self._lock = threading.Lock()

    def __call__(self, message_ids: list[int]) -> None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            _send_wake_up(message_ids)  # the embedded default and tests: deliver now, in-process
            return
        self._ensure_thread()
        self._queue.put(list(message_ids))

    def _ensure_thread(self) -> None:
        pid = os.getpid()
        if self._pid == pid:
            return
        with self._lock:
            if self._pid != pid:  # first use in this process (or after a fork)
                self._queue = queue.SimpleQueue()
                threading.Thread(target=self._run, name="outbox-waker", daemon=True).start()
                self._pid = pid

    def _run(self) -> None:
        while True:
            ids = self._queue.get()
            # Let the transactions committing meanwhile join this message: at most one broker
            # message per COALESCE_SECONDS per process, however many moves commit.
            time.sleep(self.COALESCE_SECONDS)
            while len(ids) < 1000:
                try:
                    ids.extend(self._queue.get_nowait())
                except queue.Empty:
                    break
            _send_wake_up(ids)


wake_worker = _Waker()
events.set_worker_waker(wake_worker)


def sign(body: bytes, secret: str) -> str:
    """The webhook signature header value: HMAC-SHA256 over the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(event: Event) -> bytes:
    """The JSON body a webhook receives; its exact bytes are what `sign` covers."""
    return json.dumps(
        {
            "id": str(event.id),
            "event": event.name,
            "occurred_at": event.occurred_at.isoformat(),
            "site": event.site.code if event.site_id else None,
            "data": event.payload,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def backoff(attempts: int) -> timedelta:
    """Exponential backoff: 10 s, 20 s, 40 s ... capped at one hour."""
    return timedelta(seconds=min(10 * 2 ** max(attempts - 1, 0), 3600))


class DeliveryFailed(Exception):
    """The destination did not take the message; the attempt counts and is retried later."""


SKIPPED = "skipped"


def deliver(*, message_id: int) -> str:
    """Deliver one outbox message once; returns its status after the attempt, or "skipped".

    The row stays locked (FOR UPDATE SKIP LOCKED) while the message is sent: a second attempt
    running at the same time skips it instead of sending it again, and one arriving after it
    finds it delivered. A message whose backoff has not run out is skipped too, so a late or
    duplicated task cannot hurry a retry.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "event__site", "webhook")
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
            .first()
        )
        if message is None:
            return SKIPPED
        if message.webhook_id and not message.webhook.active:
            message.status = OutboxMessage.Status.FAILED
            message.last_error = "webhook deactivated before delivery"
            message.save(update_fields=["status", "last_error"])
            return message.status
        message.attempts += 1
        try:
            _send(message)
        except DeliveryFailed as exc:
            message.last_error = str(exc)[:2000]
            if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                logger.error("outbox message %s to %s failed for good: %s", message.pk, message.target, exc)
            else:
                message.next_attempt_at = timezone.now() + backoff(message.attempts)
                logger.warning(
                    "outbox message %s to %s failed, retry at %s: %s",
                    message.pk,
                    message.target,
                    message.next_attempt_at,
                    exc,
                )
        else:
            message.status = OutboxMessage.Status.DELIVERED
            message.delivered_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "delivered_at"])
        return message.status


def _send(message: OutboxMessage) -> None:
    event = message.event
    if message.channel == OutboxMessage.Channel.WEBHOOK:
        body = webhook_body(event)
        request = urllib.request.Request(  # noqa: S310 - webhook URLs are http(s), validated by URLField
            message.webhook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Event-Id": str(event.id),
                "X-Event-Name": event.name,
                "X-Signature-256": sign(body, message.webhook.secret),
                "User-Agent": "smart-factory-webhooks/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise DeliveryFailed(f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"HTTP {exc.code}") from exc
        # URLError, timeouts and refused or reset connections are OSErrors; a garbled answer
        # is an HTTPException. Each means the receiver did not take it: try again later.
        except (OSError, http.client.HTTPException) as exc:
            raise DeliveryFailed(str(exc) or type(exc).__name__) from exc
    elif message.channel == OutboxMessage.Channel.WEBSOCKET:
        from asgiref.sync import async_to_sync
        from channels.exceptions import ChannelFull
        from channels.layers import get_channel_layer
        from redis.exceptions import RedisError

        layer = get_channel_layer()
        try:
            async_to_sync(layer.group_send)(
                message.target,
                {
                    "type": "live.event",
                    "event": event.name,
                    "id": str(event.id),
                    "site": event.site.code if event.site_id else None,
                    "data": event.payload,
                },
            )
        except (OSError, RedisError, ChannelFull) as exc:
            raise DeliveryFailed(str(exc) or type(exc).__name__) from exc
    elif message.channel == OutboxMessage.Channel.HANDLER:
        handler = after_commit_handler(message.target)
        if handler is None:
            raise DeliveryFailed(f"no after-commit subscriber {message.target} in this process")
        try:
            with transaction.atomic():
                handler(event)
        except Exception as exc:
            logger.exception("after-commit subscriber %s failed on event %s", message.target, event.pk)
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
    elif message.channel == OutboxMessage.Channel.EMAIL:
        try:
            send_mail(
                subject=event.payload.get("subject", event.name),
                message=event.payload.get("body", ""),
                from_email=None,
                recipient_list=[message.target],
            )
        except OSError as exc:
            raise DeliveryFailed(str(exc)) from exc


def due_message_ids(*, limit: int = 200) -> list[int]:
    """Pending deliveries whose next attempt is due (the periodic sweep's work list)."""
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def deliver_many(*, message_ids: list[int]) -> dict[str, int]:
    """Deliver the messages of one committed transaction, each on its own (one failing does not
    hold up the others). Returns how many ended in each status."""
    outcome: dict[str, int] = {}
    for message_id in message_ids:
        status = deliver(message_id=message_id)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def purge_events(*, older_than_days: int | None = None) -> int:
    """Delete events older than the retention (`EVENT_RETENTION_DAYS`, default 90) whose
    deliveries are all done: an event with a pending or failed delivery is kept until that is
    settled, so nothing still owed to a receiver disappears. Deletes in batches."""
    days = older_than_days if older_than_days is not None else getattr(settings, "EVENT_RETENTION_DAYS", 90)
    cutoff = timezone.now() - timedelta(days=days)
    owed = OutboxMessage.objects.exclude(status=OutboxMessage.Status.DELIVERED).values("event_id")
    total = 0
    while True:
        batch = list(
            Event.objects.filter(occurred_at__lt=cutoff).exclude(pk__in=owed).values_list("pk", flat=True)[:5000]
        )
        if not batch:
            return total
        OutboxMessage.objects.filter(event_id__in=batch).delete()
        deleted, _ = Event.objects.filter(pk__in=batch).delete()
        total += len(batch) if deleted else 0


def purge_delivered(*, older_than_days: int = 14) -> int:
    """Delete delivered messages older than the retention, so the outbox stays small.

    Failed ones are kept for inspection; the events themselves stay as the record of what
    happened.
    """
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = OutboxMessage.objects.filter(status=OutboxMessage.Status.DELIVERED, delivered_at__lt=cutoff).delete()
    return deleted
