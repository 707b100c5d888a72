"""Domain events: how a lower layer tells higher ones that something happened.

A service calls `publish(name, payload, site=...)` inside its transaction. The event is stored,
in-process subscribers run at once in the same transaction (a failure rolls the whole thing
back), and every delivery that leaves the process (live pages, webhooks, e-mail) is written to
the outbox in that transaction too. A Celery task drains the outbox after commit, so an event
of a rolled-back transaction is never delivered and a broker outage delays deliveries but
loses none.

Names are `<app>.<thing>.<what happened>` (`wms.stock.moved`); the first part is the live topic
pages subscribe to.
"""

import json
import logging
from collections import defaultdict
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

logger = logging.getLogger(__name__)

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(name: str):
    """Register `handler(event)` for events called `name` (or a prefix ending in '*', `wms.*`).

    Handlers run inside the publishing transaction: what they write commits or rolls back with
    the change that caused the event, and an exception they raise aborts that change.
    """

    def register(handler: Callable) -> Callable:
        if handler not in _subscribers[name]:
            _subscribers[name].append(handler)
        return handler

    return register


def unsubscribe(name: str, handler: Callable) -> None:
    """Remove a handler registered with `subscribe(name)`; unknown handlers are ignored."""
    handlers = _subscribers.get(name)
    if handlers and handler in handlers:
        handlers.remove(handler)


def _handlers_for(name: str) -> list[Callable]:
    """Exact subscribers first, then the wildcard ones, each in registration order."""
    handlers = list(_subscribers.get(name, ()))
    for pattern, registered in list(_subscribers.items()):
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            handlers.extend(h for h in registered if h not in handlers)
    return handlers


def _json_safe(payload: dict) -> dict:
    """The payload as stored and sent: Decimals, dates and UUIDs become strings."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def publish(name: str, payload: dict, *, site=None, live: bool = True):
    """Store the event, run its subscribers and queue its outside deliveries.

    Must be called inside `transaction.atomic()`: the event shares the fate of the change it
    describes. `live` pushes it to the pages watching the site's topic group.
    """
    from core.models import Event
    from core.services.outbox import queue_deliveries

    if not connection.in_atomic_block:
        raise RuntimeError("publish() must be called inside transaction.atomic()")
    event = Event.objects.create(name=name, payload=_json_safe(payload), site=site)
    for handler in _handlers_for(name):
        handler(event)
    queue_deliveries(event, live=live)
    return event
