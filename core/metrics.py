"""Prometheus metrics read from the database, so every web process reports the same figures.

Each module registers a collector function here (`register`); the later MES ingestion adds
`mes_ingest_messages_total` and friends the same way.
"""

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_collectors: list[Callable[[], Iterable]] = []


def register(collector: Callable[[], Iterable]) -> Callable[[], Iterable]:
    """Add a function that yields prometheus metric families, evaluated at each scrape."""
    if collector not in _collectors:
        _collectors.append(collector)
    return collector


class _DatabaseCollector:
    def collect(self):
        for collector in _collectors:
            yield from collector()


@register
def outbox_metrics():
    from core.models import OutboxMessage

    pending = GaugeMetricFamily("core_outbox_pending", "Outbox deliveries not yet delivered")
    pending.add_metric([], OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count())
    yield pending
    failed = GaugeMetricFamily("core_outbox_failed", "Outbox deliveries that gave up after all attempts")
    failed.add_metric([], OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count())
    yield failed


def render_metrics() -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_DatabaseCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
