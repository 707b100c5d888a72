"""Domain events: how a lower layer tells higher ones that something happened.

A service calls `publish(name, payload, site=...)` inside its transaction. The event is stored,
and then:

- **invariant subscribers** (`@subscribe(name)`) run at once in the same transaction: what they
  write commits or rolls back with the change, and an exception they raise aborts it. Keep them
  for rules that must hold together with the change;
- **after-commit subscribers** (`@subscribe(name, after_commit=True)`) are re-checks and
  reactions that may lag a moment (inventory alerts): each gets an outbox row written with the
  event, and the worker runs it after commit, so the mover's transaction neither waits for nor
  fails because of it;
- every delivery that leaves the process (live pages, webhooks, e-mail) is an outbox row too.

After commit the worker is woken **once per transaction** with the ids of every outbox row the
transaction wrote; the periodic sweep `core.tasks.drain_outbox` retries what is due. An event of
a rolled-back transaction is never delivered, and a broker outage delays deliveries but loses
none. Active webhooks are cached per process for `WEBHOOK_CACHE_SECONDS` and dropped at once
when this process saves or deletes one.

Events are the business record of what happened and are kept for `EVENT_RETENTION_DAYS`
(`core.tasks.purge_events`, daily in the beat schedule).

High-rate machine data (telemetry, counts) never goes through `publish`: one Event and outbox
row per message would be the bottleneck. Ingestion calls `signal(name, records)` instead, once
per batch: `@on_signal(name)` handlers run in-process on the batch (aggregation, alert rules),
nothing is stored here, and a handler that wants to tell the rest of the system publishes one
summarising event itself.

Names are `<app>.<thing>.<what happened>` (`wms.stock.moved`); the first part is the live topic
pages subscribe to. This module imports models only (no services), so any service may import it.
"""

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

logger = logging.getLogger(__name__)

_subscribers: dict[str, list[Callable]] = defaultdict(list)
_after_commit: dict[str, list[Callable]] = defaultdict(list)
_signal_handlers: dict[str, list[Callable]] = defaultdict(list)


def handler_name(handler: Callable) -> str:
    """How an after-commit subscriber is named in its outbox row (module and qualified name)."""
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(name: str, *, after_commit: bool = False):
    """Register `handler(event)` for events called `name` (or a prefix ending in '*', `wms.*`).

    By default handlers run inside the publishing transaction (invariants). With `after_commit`
    the handler runs in the worker once the transaction has committed, from an outbox row, with
    retries on failure; it must be idempotent (a re-check, not an increment).
    """
    table = _after_commit if after_commit else _subscribers

    def register(handler: Callable) -> Callable:
        if handler not in table[name]:
            table[name].append(handler)
            _matched.clear()
        return handler

    return register


def unsubscribe(name: str, handler: Callable) -> None:
    """Remove a handler registered with `subscribe(name)`; unknown handlers are ignored."""
    for table in (_subscribers, _after_commit):
        handlers = table.get(name)
        if handlers and handler in handlers:
            handlers.remove(handler)
            _matched.clear()


_matched: dict[tuple[int, str], list[Callable]] = {}


def _matching(table: dict[str, list[Callable]], name: str) -> list[Callable]:
    """Exact subscribers first, then the wildcard ones, each in registration order (worked out
    once per name and table; registering or removing a handler starts over)."""
    key = (id(table), name)
    handlers = _matched.get(key)
    if handlers is None:
        handlers = list(table.get(name, ()))
        for pattern, registered in list(table.items()):
            if pattern.endswith("*") and name.startswith(pattern[:-1]):
                handlers.extend(h for h in registered if h not in handlers)
        _matched[key] = handlers
    return handlers


def after_commit_handler(target: str) -> Callable | None:
    """The after-commit subscriber an outbox row names, or None when it is no longer registered."""
    for handlers in list(_after_commit.values()):
        for handler in handlers:
            if handler_name(handler) == target:
                return handler
    return None


def live_group(site_code: str | None, topic: str) -> str:
    """The Channels group that live pages of `topic` at a site subscribe to."""
    return f"live.{site_code or 'all'}.{topic}"


def publish(
    name: str, payload: dict, *, site=None, live: bool = True, topics: Sequence[str] = (), webhooks: bool = True
):
    """Store the event, run its invariant subscribers and queue everything that runs later.

    Must be called inside `transaction.atomic()`: the event shares the fate of the change it
    describes. `live` pushes it to the pages watching the site's topic group; `topics` names
    narrower live topics of the same site it goes to as well (`mes.equipment.CNC-01`, the
    operator terminal of one machine). `webhooks=False` keeps it from the webhooks. On
    PostgreSQL an event without invariant subscribers and its outbox rows are one statement.
    """
    from core.models import Event

    if not connection.in_atomic_block:
        raise RuntimeError("publish() must be called inside transaction.atomic()")
    text = json.dumps(payload, cls=DjangoJSONEncoder)
    event = Event(name=name, payload=json.loads(text), site=site)
    event._state.db = connection.alias
    handlers = _matching(_subscribers, name)
    if handlers:
        _insert_event(event, text)
        for handler in handlers:
            handler(event)
        queue_deliveries(event, live=live, topics=topics, webhooks=webhooks)
    else:
        queue_deliveries(event, live=live, topics=topics, webhooks=webhooks, event_json=text)
    return event


def _event_row(event, text: str) -> list:
    return [event.pk, event.name, text, event.site_id, connection.ops.adapt_datetimefield_value(event.occurred_at)]


_INSERT_EVENT = "INSERT INTO core_event (id, name, payload, site_id, occurred_at) VALUES (%s, %s, %s, %s, %s)"


def _insert_event(event, text: str) -> None:
    """Write the event row (a plain insert: events have no signals; this runs on every change)."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_EVENT, _event_row(event, text))
    event._state.adding = False


def publish_many(name: str, payloads: list[dict], *, site, live: bool = True) -> list:
    """`publish` for many events of one name and site (a bulk action): the events and their
    outbox rows are inserted in two statements; subscribers run for each event as they would."""
    from core.models import Event, OutboxMessage

    if not connection.in_atomic_block:
        raise RuntimeError("publish_many() must be called inside transaction.atomic()")
    if not payloads:
        return []
    events = Event.objects.bulk_create(
        [Event(name=name, payload=json.loads(json.dumps(p, cls=DjangoJSONEncoder)), site=site) for p in payloads]
    )
    handlers = _matching(_subscribers, name)
    for event in events:
        for handler in handlers:
            handler(event)
    Channel = OutboxMessage.Channel
    hooks = [hook for hook in active_webhooks() if hook.wants(name)]
    later = [handler_name(handler) for handler in _matching(_after_commit, name)]
    group = live_group(site.code if site is not None else None, name.split(".", 1)[0])
    messages = []
    for event in events:
        messages += [OutboxMessage(event=event, channel=Channel.WEBHOOK, webhook_id=h.pk, target=h.url) for h in hooks]
        if live:
            messages.append(OutboxMessage(event=event, channel=Channel.WEBSOCKET, target=group))
        for address in event.payload.get("notify") or []:
            messages.append(OutboxMessage(event=event, channel=Channel.EMAIL, target=address))
        messages += [OutboxMessage(event=event, channel=Channel.HANDLER, target=target) for target in later]
    if messages:
        created = OutboxMessage.objects.bulk_create(messages, batch_size=2000)
        wake_worker_after_commit([m.pk for m in created])
    return events


# --- the outbox rows of an event ----------------------------------------------------------------

_webhook_cache: dict[str, object] = {"until": 0.0, "hooks": None}


def active_webhooks() -> list:
    """The active webhooks, cached per process (see the module docstring)."""
    from core.models import Webhook

    if _changes_webhooks():
        # This transaction changed webhooks: what it sees is not yet (and may never be) committed.
        return list(Webhook.objects.filter(active=True).only("id", "url", "events"))
    now = time.monotonic()
    hooks = _webhook_cache["hooks"]
    if hooks is None or now >= _webhook_cache["until"]:
        hooks = list(Webhook.objects.filter(active=True).only("id", "url", "events"))
        _webhook_cache.update(hooks=hooks, until=now + getattr(settings, "WEBHOOK_CACHE_SECONDS", 5.0))
    return hooks


def _forget_cached_webhooks() -> None:
    _webhook_cache.update(hooks=None, until=0.0)


def _changes_webhooks() -> bool:
    return connection.in_atomic_block and any(
        callback is _forget_cached_webhooks for _sids, callback, _robust in connection.run_on_commit
    )


def forget_webhooks(**_kwargs) -> None:
    """A webhook was saved or deleted in this process: drop the cache now and again after commit
    (until then, `active_webhooks` reads afresh in this transaction and caches nothing)."""
    _forget_cached_webhooks()
    if connection.in_atomic_block and not _changes_webhooks():
        transaction.on_commit(_forget_cached_webhooks)


post_save.connect(forget_webhooks, sender="core.Webhook", dispatch_uid="core.events.forget_webhooks.save")
post_delete.connect(forget_webhooks, sender="core.Webhook", dispatch_uid="core.events.forget_webhooks.delete")


def _outbox_rows(
    event, *, live: bool, topics: Sequence[str] = (), webhooks: bool = True
) -> list[tuple[str, int | None, str]]:
    """(channel, webhook id, target) of each delivery of `event`."""
    from core.models import OutboxMessage

    Channel = OutboxMessage.Channel
    hooks = active_webhooks() if webhooks else ()
    rows = [(Channel.WEBHOOK, hook.pk, hook.url) for hook in hooks if hook.wants(event.name)]
    site_code = event.site.code if event.site_id else None
    if live:
        topic = event.name.split(".", 1)[0]
        rows.append((Channel.WEBSOCKET, None, live_group(site_code, topic)))
    for topic in topics:
        rows.append((Channel.WEBSOCKET, None, live_group(site_code, topic)))
    recipients = event.payload.get("notify") if isinstance(event.payload, dict) else None
    for address in recipients or []:
        rows.append((Channel.EMAIL, None, address))
    for handler in _matching(_after_commit, event.name):
        rows.append((Channel.HANDLER, None, handler_name(handler)))
    return rows


def queue_deliveries(
    event, *, live: bool = True, topics: Sequence[str] = (), webhooks: bool = True, event_json: str | None = None
) -> list[int]:
    """Write the outbox rows of `event` (webhooks, live push, e-mail, after-commit subscribers)
    in one insert and return their ids; the worker is woken once, after the transaction commits.

    With `event_json` (its payload as JSON) the event itself is not stored yet and is written
    by the same statement (PostgreSQL) or just before it."""
    rows = _outbox_rows(event, live=live, topics=topics, webhooks=webhooks)
    if event_json is not None and (not rows or connection.vendor != "postgresql"):
        _insert_event(event, event_json)
        event_json = None
    if not rows:
        return []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["(%s, %s, %s, %s, 'pending', 0, %s, '', %s)"] * len(rows))
    params = []
    for channel, webhook_id, target in rows:
        params += [event.pk, str(channel), webhook_id, target, now, now]
    sql = (
        "INSERT INTO core_outboxmessage (event_id, channel, webhook_id, target, status, attempts, "  # noqa: S608 - placeholders only
        f"next_attempt_at, last_error, created_at) VALUES {values} RETURNING id"
    )
    if event_json is not None:
        sql = f"WITH e AS ({_INSERT_EVENT}) {sql}"
        params = _event_row(event, event_json) + params
        event._state.adding = False
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    wake_worker_after_commit(ids)
    return ids


_worker: dict[str, Callable | None] = {"wake": None}


def set_worker_waker(wake: Callable[[list[int]], None]) -> None:
    """Install how the worker is woken with a transaction's outbox ids (the outbox service does,
    when the core app is ready; this module stays free of services)."""
    _worker["wake"] = wake


class _WakeUp:
    """The one on-commit callback of a transaction: hands all its outbox ids to the worker."""

    def __init__(self):
        self.ids: list[int] = []
        self.__qualname__ = "wake_outbox_worker"  # how Django's robust on_commit names it in logs

    def __call__(self) -> None:
        wake = _worker["wake"]
        if wake is None:
            logger.warning("no outbox worker waker installed; %d message(s) wait for the sweep", len(self.ids))
            return
        wake(self.ids)


def wake_worker_after_commit(message_ids: list[int]) -> None:
    """Add `message_ids` to this transaction's wake-up, registering it on first use.

    A rolled-back transaction (or savepoint) drops its callback with it, so a later transaction
    registers a fresh one. `robust`: the change has committed by then; whatever goes wrong in
    waking the worker is logged, never turned into an error answer for a change that happened.
    """
    for _sids, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _WakeUp):
            callback.ids.extend(message_ids)
            return
    wake = _WakeUp()
    wake.ids.extend(message_ids)
    transaction.on_commit(wake, robust=True)


# --- high-rate data: in-process batch signals, nothing stored --------------------------------


def on_signal(name: str):
    """Register `handler(records)` for batches signalled as `name` (e.g. `mes.telemetry`)."""

    def register(handler: Callable) -> Callable:
        if handler not in _signal_handlers[name]:
            _signal_handlers[name].append(handler)
            _matched.clear()
        return handler

    return register


def off_signal(name: str, handler: Callable) -> None:
    """Remove a handler registered with `on_signal(name)`; unknown handlers are ignored."""
    handlers = _signal_handlers.get(name)
    if handlers and handler in handlers:
        handlers.remove(handler)
        _matched.clear()


def signal(name: str, records: Sequence) -> int:
    """Hand one batch of high-rate records to the in-process handlers of `name`; returns how many
    handlers ran. Nothing is stored and no outbox row is written: the caller owns durability (it
    has written the batch itself, and acknowledges the broker only after commit). Handlers run
    in the caller's transaction when there is one, in registration order; an exception aborts
    the batch like any other error of the caller."""
    handlers = _matching(_signal_handlers, name)
    for handler in handlers:
        handler(records)
    return len(handlers)
