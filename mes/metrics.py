"""The ingestion figures of /metrics, read from the shared counters every ingest process adds to
once per batch, so any web process reports the same (core.metrics)."""

from prometheus_client.core import CounterMetricFamily

from core.metrics import register

KINDS = ("telemetry", "state", "count")
RESULTS = ("applied", "duplicate", "dead_letter")


@register
def ingest_metrics():
    from mes.models import IngestCounter

    counters = dict(IngestCounter.objects.values_list("key", "value"))
    messages = CounterMetricFamily(
        "mes_ingest_messages", "Machine messages ingested, by kind and result", labels=["kind", "result"]
    )
    for kind in KINDS:
        for result in RESULTS:
            messages.add_metric([kind, result], counters.get(f"messages:{kind}:{result}", 0))
    yield messages
    values = CounterMetricFamily("mes_telemetry_values", "Telemetry values stored")
    values.add_metric([], counters.get("values", 0))
    yield values
    dead = CounterMetricFamily("mes_ingest_dead_letters", "Dead letters, by reason", labels=["reason"])
    for key, value in sorted(counters.items()):
        if key.startswith("dead_letters:"):
            dead.add_metric([key.split(":", 1)[1]], value)
    yield dead
