"""The MQTT connector of `manage.py ingest_mqtt`: MQTT 5, QoS 1, a fixed client id and a
persistent session (clean_start False, a session expiry), so what machines publish while it is
down waits at the broker; a shared subscription (`$share/mes-ingest/mes/+/+/+`) lets several
processes split the stream.

paho's network thread puts each message on a queue; this thread takes batches off it (up to
`batch_values` values, or what arrived within `flush_seconds`, or sooner when the stream pauses)
and checks each (`Ingestor.check`: parsing, validation and the COPY rows formatted, no writes); a writer thread
(`BatchWriter`) applies the checked batches one after the other, each in one transaction
(`Ingestor.apply`), and only after its commit acknowledges its messages to the broker, in the
order they arrived (manual acknowledgement), all of a batch's PUBACKs in one write. So the next
batch is received and checked while PostgreSQL writes the previous one (psycopg2 lets go of the
GIL while it waits). A crash before a commit leaves that batch and every later one
unacknowledged: the broker sends them again and their keys make the redelivery a duplicate. A
batch that fails on the database is retried, never acknowledged, and nothing after it is
acknowledged before it.

paho's own per-message costs on a drain (one select and three or four recv calls per message, one
wake-up of its network thread per acknowledgement) are taken out by `_Client`.
"""

import logging
import queue
import socket
import struct
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


PUBACK = struct.Struct("!BBH")
READ_SIZE = 65536
# Packets handled per select at most (then paho writes what is queued: acknowledgements, pings).
READ_PACKETS = 2000


class _Client(mqtt.Client):
    """paho's client (pinned, 2.2.0) reading from a buffer and acknowledging in bulk.

    - paho reads a packet with one `recv` for its first byte, one per length byte and one for the
      rest, and handles one packet per `select`. Here `recv` fills a 64 KiB buffer the packets
      are cut from, and `loop_read` handles every packet buffered (up to `READ_PACKETS`, and then
      on until the buffer is empty, so no packet is left in it while `select` waits on the socket).
    - `ack_many` queues the PUBACKs of a batch as one write, waking the network thread once.
    """

    _buffer = b""
    _position = 0
    _buffer_socket = None

    def _sock_recv(self, bufsize: int) -> bytes:
        sock = self._sock
        if sock is not self._buffer_socket or self._position >= len(self._buffer):
            data = super()._sock_recv(READ_SIZE)  # BlockingIOError when nothing is there
            # A new connection starts empty: nothing read from an earlier socket is ever used.
            self._buffer, self._position, self._buffer_socket = data, 0, sock
            if not data:
                return data
        position = self._position
        chunk = self._buffer[position : position + bufsize]
        self._position = position + len(chunk)
        return chunk

    def _buffered(self) -> bool:
        return self._buffer_socket is self._sock and self._position < len(self._buffer)

    def loop_read(self, max_packets: int = 1) -> mqtt.MQTTErrorCode:
        handled = 0
        while True:
            if self._sock is None:
                return mqtt.MQTTErrorCode.MQTT_ERR_NO_CONN
            rc = self._packet_read()
            if rc > 0:
                return self._loop_rc_handle(rc)
            if rc == mqtt.MQTTErrorCode.MQTT_ERR_AGAIN:
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS
            handled += 1
            if handled >= READ_PACKETS and not self._buffered():
                return mqtt.MQTTErrorCode.MQTT_ERR_SUCCESS

    def ack_many(self, mids: list[int]) -> None:
        """Acknowledge these QoS 1 messages, in this order, in one write."""
        if mids:
            pack = PUBACK.pack
            self._packet_queue(mqtt.PUBACK, b"".join([pack(mqtt.PUBACK, 2, mid) for mid in mids]), 0, 1)


_DONE = object()


class BatchWriter:
    """The writer thread: applies the batches handed over (`put`), one after the other in that
    order, with `apply(item)`, and after each returns (its commit) calls `ack(item, result)`. A
    batch that fails on the database is retried every `retry_seconds` until it commits; the ones
    after it wait, so nothing is acknowledged ahead of an earlier batch or of its own commit. When
    `stop` is set during the retries the writer gives up, leaving that batch and the later ones
    unacknowledged. An error of the writer is raised in the handing thread by `put` and `close`."""

    def __init__(self, apply, ack, stop: threading.Event, *, depth: int = 1, retry_seconds: float = 1.0):
        self._apply = apply
        self._ack = ack
        self._stop = stop
        self._retry_seconds = retry_seconds
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ingest-writer", daemon=True)
        self._thread.start()

    def put(self, item) -> None:
        """Hand over a batch; waits while `depth` batches are waiting already."""
        self._handover(item)

    def close(self) -> None:
        """Let the writer finish what was handed over, then end it."""
        self._handover(_DONE)
        self._thread.join()
        self._raise()

    def _handover(self, item) -> None:
        while True:
            self._raise()
            if not self._thread.is_alive():
                return
            try:
                self._queue.put(item, timeout=0.25)
                return
            except queue.Full:
                continue

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                self._ack(item, self._write(item))
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that called put/close
            self.error = exc
        finally:
            # This thread's own database connection.
            connection.close()

    def _write(self, item):
        while True:
            try:
                return self._apply(item)
            except DatabaseError:
                logger.exception("a batch failed on the database; retrying")
                connection.close()
                if self._stop.wait(self._retry_seconds):
                    # Stopping: the batch stays unacknowledged, the broker keeps it.
                    raise
                close_old_connections()


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
        self.inbox: queue.SimpleQueue[Received] = queue.SimpleQueue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self._generation = 0
        self._pending: Received | None = None
        self.client = self._make_client()

    # --- paho callbacks (network thread) ------------------------------------------------------

    def _make_client(self) -> _Client:
        client = _Client(
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
        # parsing it twice: {"msg_id":..,"ts":..,"values":{a:1,b:2}} has one ',' more than values
        # (counting ':' would count the timestamp's too, and make batches a third smaller).
        values = payload.count(b",") - 1 if message.topic.endswith("/telemetry") else 1
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

    def _check(self, batch: list[Received], stop: threading.Event):
        """Check the batch (`Ingestor.check`; it may read the plant's codes), retrying on
        database errors."""
        while True:
            try:
                return self.ingestor.check([(r.topic, r.payload) for r in batch], prepare=True)
            except DatabaseError:
                logger.exception("checking a batch of %d messages failed; retrying", len(batch))
                connection.close()
                if stop.wait(1.0):
                    raise
                close_old_connections()

    def _write(self, item) -> object:
        """The writer thread: apply a checked batch (one transaction, committed on return)."""
        _batch, checked, _started = item
        return self.ingestor.apply(checked)

    def _acknowledge(self, item, result) -> None:
        """The writer thread, after the commit: acknowledge the batch, in arrival order."""
        batch, _checked, started = item
        generation = self._generation
        # An id from an earlier connection may now name another message: that one is left to
        # the redelivery (the broker resends everything unacknowledged on reconnect).
        self.client.ack_many([r.mid for r in batch if r.qos == 1 and r.generation == generation])
        if self.metrics is not None:
            self.metrics.observe(result, len(batch), time.monotonic() - started, self.inbox.qsize())

    def run(self, stop: threading.Event) -> None:
        """Receive and apply until `stop` is set. The batches checked already are finished and
        acknowledged; what was received but not yet checked stays unacknowledged, so the broker
        keeps it for the session and sends it again on the next connection."""
        self.connect()
        writer = BatchWriter(self._write, self._acknowledge, stop)
        try:
            while not stop.is_set():
                batch = self._collect(stop)
                if batch:
                    writer.put((batch, self._check(batch, stop), time.monotonic()))
        finally:
            try:
                writer.close()
            finally:
                self.client.disconnect()
                self.client.loop_stop()
                connection.close()
