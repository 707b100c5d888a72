"""Process metrics of one ingest process, served on `ingest_mqtt --metrics-port`: messages and
values it applied, batch sizes and durations, the lag behind the machines' timestamps, the
queue waiting in the process and the recent rate. The figures every process shares
(`mes_ingest_messages_total`, `mes_telemetry_values_total`) are in the database and on /metrics.
"""

import threading
import time
from collections import deque

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server


class ProcessMetrics:
    def __init__(self):
        self.registry = CollectorRegistry(auto_describe=True)
        self.messages = Counter(
            "mes_ingest_process_messages",
            "Messages this process handled, by kind and result",
            ["kind", "result"],
            registry=self.registry,
        )
        self.values = Counter(
            "mes_ingest_process_values", "Telemetry values this process stored", registry=self.registry
        )
        self.batch_messages = Histogram(
            "mes_ingest_batch_messages",
            "Messages per batch",
            buckets=(1, 10, 50, 100, 250, 500, 1000, 2500, 5000),
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "mes_ingest_batch_seconds",
            "Time to apply and commit one batch",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.lag = Gauge(
            "mes_ingest_lag_seconds",
            "Age of the newest message of the last batch at its commit",
            registry=self.registry,
        )
        self.queue = Gauge(
            "mes_ingest_queue_messages", "Messages received, waiting for a batch", registry=self.registry
        )
        self.rate = Gauge(
            "mes_ingest_values_per_second", "Values stored per second over the last 10 s", registry=self.registry
        )
        self.connected = Gauge(
            "mes_ingest_connected",
            "1 while connected and subscribed to the broker (OPC UA: the endpoints connected)",
            registry=self.registry,
        )
        self._recent: deque = deque()
        self._lock = threading.Lock()

    def observe(self, result, batch_size: int, seconds: float, queued: int) -> None:
        for (kind, outcome), n in result.counts.items():
            self.messages.labels(kind, outcome).inc(n)
        self.values.inc(result.values)
        self.batch_messages.observe(batch_size)
        self.batch_seconds.observe(seconds)
        if result.lag_seconds is not None:
            self.lag.set(result.lag_seconds)
        self.queue.set(queued)
        now = time.monotonic()
        with self._lock:
            self._recent.append((now, result.values))
            while self._recent and self._recent[0][0] < now - 10:
                self._recent.popleft()
            span = max(now - self._recent[0][0], 1.0)
            self.rate.set(sum(v for _, v in self._recent) / span)

    def serve(self, port: int, addr: str = "0.0.0.0"):  # noqa: S104 - the container's metrics port
        return start_http_server(port, addr=addr, registry=self.registry)
