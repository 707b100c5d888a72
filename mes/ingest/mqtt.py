"""The MQTT connector of `manage.py ingest_mqtt`: MQTT 5, QoS 1, a fixed client id and a
persistent session (clean_start False, a session expiry), so what machines publish while it is
down waits at the broker; a shared subscription (`$share/mes-ingest/mes/+/+/+`) lets several
processes split the stream.

paho's network thread puts each message on a queue; this thread takes batches off it (up to
`batch_values` values, or what arrived within `flush_seconds`, or sooner when the stream pauses),
applies each batch in one transaction (`Ingestor.ingest`) and only then acknowledges its
messages to the broker, in the order they arrived (manual acknowledgement). A crash before the
commit leaves them unacknowledged: the broker sends them again and their keys make the
redelivery a duplicate. A batch that fails on the database is retried, never acknowledged.
"""

import logging
import queue
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import DatabaseError, close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mes.services.ingest import Ingestor

logger = logging.getLogger(__name__)

TOPIC = "mes/+/+/+"
SHARE_GROUP = "mes-ingest"
SESSION_EXPIRY_SECONDS = 7 * 24 * 3600
# How long the stream may pause before a partial batch is flushed (the broker may hold back
# further messages until these are acknowledged: Mosquitto's max_inflight_messages).
IDLE_FLUSH_SECONDS = 0.01


def default_client_id() -> str:
    return f"mes-ingest-{socket.gethostname()}"[:64]


def parse_broker_url(url: str) -> tuple[str, int]:
    parsed = urlparse(url or "mqtt://127.0.0.1:1883")
    if parsed.scheme not in ("mqtt", "tcp", ""):
        raise ValueError(f"unsupported MQTT URL scheme: {parsed.scheme}")
    return parsed.hostname or "127.0.0.1", parsed.port or 1883


@dataclass(slots=True)
class Received:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int
    values: int


class MqttIngest:
    """Receives from the broker and applies batches until `stop` is set (`run`)."""

    def __init__(
        self,
        *,
        url: str,
        client_id: str | None = None,
        share: bool = True,
        topic: str | list[str] = TOPIC,
        group: str = SHARE_GROUP,
        batch_values: int = 5000,
        flush_seconds: float = 0.2,
        session_expiry: int = SESSION_EXPIRY_SECONDS,
        receive_maximum: int = 10000,
        metrics=None,
    ):
        self.host, self.port = parse_broker_url(url)
        self.client_id = client_id or default_client_id()
        topics = [topic] if isinstance(topic, str) else list(topic)
        self.subscriptions = [f"$share/{group}/{t}" if share else t for t in topics]
        self.subscription = ", ".join(self.subscriptions)
        self.batch_values = batch_values
        self.flush_seconds = flush_seconds
        self.session_expiry = session_expiry
        self.receive_maximum = receive_maximum
        self.metrics = metrics
        self.ingestor = Ingestor()
        self.inbox: queue.Queue[Received] = queue.Queue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._generation = 0
        self._pending: Received | None = None
        self.client = self._make_client()

    # --- paho callbacks (network thread) ------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.reconnect_delay_set(min_delay=1, max_delay=10)
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            logger.error("MQTT connection refused: %s", reason_code)
            return
        self._generation += 1
        logger.info(
            "connected to %s:%s as %s (session present: %s)",
            self.host,
            self.port,
            self.client_id,
            flags.session_present,
        )
        self.connected.set()
        client.subscribe([(subscription, 1) for subscription in self.subscriptions])

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        logger.info("subscribed to %s: %s", self.subscription, [str(code) for code in reason_codes])
        self.subscribed.set()
        if self.metrics is not None:
            self.metrics.connected.set(1)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if self.metrics is not None:
            self.metrics.connected.set(0)
        logger.warning("disconnected from the broker: %s", reason_code)

    def _on_message(self, client, userdata, message):
        payload = message.payload
        # An estimate of the values a telemetry message carries (for the batch size) without
        # parsing it twice: one per ':' after "values" is close enough for a flush decision.
        values = payload.count(b":") - 2 if message.topic.endswith("/telemetry") else 1
        self.inbox.put(Received(message.topic, payload, message.mid, message.qos, self._generation, max(values, 1)))

    # --- the batch loop (this thread) ---------------------------------------------------------

    def connect(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = self.receive_maximum
        self.client.connect_async(self.host, self.port, keepalive=30, clean_start=False, properties=properties)
        self.client.loop_start()

    def _collect(self, stop: threading.Event) -> list[Received]:
        first = self._pending
        self._pending = None
        if first is None:
            try:
                first = self.inbox.get(timeout=0.25)
            except queue.Empty:
                return []
        batch = [first]
        values = first.values
        deadline = time.monotonic() + self.flush_seconds
        while values < self.batch_values:
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or stop.is_set():
                    break
                try:
                    item = self.inbox.get(timeout=min(remaining, IDLE_FLUSH_SECONDS))
                except queue.Empty:
                    break
            if values + item.values > self.batch_values and batch:
                self._pending = item
                break
            batch.append(item)
            values += item.values
        return batch

    def _apply(self, batch: list[Received], stop: threading.Event) -> None:
        """Apply the batch, retrying on database errors, then acknowledge it."""
        started = time.monotonic()
        while True:
            try:
                result = self.ingestor.ingest([(r.topic, r.payload) for r in batch])
                break
            except DatabaseError:
                logger.exception("batch of %d messages failed; retrying", len(batch))
                connection.close()
                if stop.wait(1.0):
                    # Stopping: leave the batch unacknowledged, the broker keeps it.
                    raise
                close_old_connections()
        generation = self._generation
        for received in batch:
            # An id from an earlier connection may now name another message: that one is left to
            # the redelivery (the broker resends everything unacknowledged on reconnect).
            if received.qos and received.generation == generation:
                self.client.ack(received.mid, received.qos)
        if self.metrics is not None:
            self.metrics.observe(result, len(batch), time.monotonic() - started, self.inbox.qsize())

    def run(self, stop: threading.Event) -> None:
        """Receive and apply until `stop` is set. The batch in hand is finished and acknowledged;
        what was received but not yet applied stays unacknowledged, so the broker keeps it for the
        session and sends it again on the next connection."""
        self.connect()
        try:
            while not stop.is_set():
                batch = self._collect(stop)
                if batch:
                    self._apply(batch, stop)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
            connection.close()
