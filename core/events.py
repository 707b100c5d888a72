"""Domain events: how a lower layer tells higher ones that something happened.

A service calls `publish(name, payload, site=...)` inside its transaction. The event is stored,
in-process subscribers run at once in the same transaction (a failure rolls the whole thing
back), and every delivery that leaves the process (live pages, webhooks, e-mail) is written to
the outbox in that transaction too. A Celery task drains the outbox after commit, so an event
of a rolled-back transaction is never delivered and a broker outage delays deliveries but
loses none.
"""

import logging
from collections import defaultdict
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

logger = logging.getLogger(__name__)

_subscribers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(name: str):
    """Register `handler(event)` for events called `name` (or a prefix ending in '*')."""

    def register(handler: Callable) -> Callable:
        if handler not in _subscribers[name]:
            _subscribers[name].append(handler)
        return handler

    return register


def _handlers_for(name: str) -> list[Callable]:
    handlers = list(_subscribers.get(name, ()))
    for pattern, registered in _subscribers.items():
        if pattern.endswith("*") and name.startswith(pattern[:-1]):
            handlers.extend(registered)
    return handlers


def _json_safe(payload: dict) -> dict:
    import json

    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


def publish(name: str, payload: dict, *, site=None, live: bool = True):
    """Store the event, run its subscribers and queue its outside deliveries.

    Must be called inside `transaction.atomic()`: the event shares the fate of the change it
    describes. `live` pushes it to the pages watching the site's group.
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


def run_after_commit(func: Callable) -> None:
    """Schedule `func` after the current transaction commits (immediately if there is none)."""
    transaction.on_commit(func)
