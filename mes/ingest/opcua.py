"""The OPC UA connector of `manage.py ingest_opcua`: an asyncua Client per enabled endpoint, one
subscription each with a monitored item per configured node, and the values fed to the same
ingestion as MQTT (`Ingestor.ingest`).

An asyncio loop in a thread of its own holds the sessions; its data-change handler only puts
each change on a queue. This thread takes batches off the queue, turns each change into the
machine message MQTT would have carried (`mes/<site>/<equipment>/<telemetry|state|count>`) and
applies the batch in one transaction. The message id is a hash of the endpoint, the node and
the value's source timestamp, so the values a server sends again after a reconnect (the current
value of every node, on each new subscription) are duplicates and store nothing twice.

- value nodes become telemetry under the node's tag (booleans as 0/1); a change smaller than the
  node's deadband since the last value stored is skipped;
- state nodes carry the state's name (`running`, `idle`, ...);
- counter nodes carry the machine's running total: the increase since the last total seen is
  booked as a count of good or scrap parts (the first total is the base; a total lower than
  the last is a reset and counts from zero). The last total is kept on the node, written in
  the same transaction as the count, so a restart neither loses nor repeats one.
- a value with a status code other than Good is a dead letter (`bad_status`); a value of the
  wrong type is refused by the ingestion like an MQTT message, with the same reasons.

Configuration is read again every `reload_seconds`: a session whose endpoint or node list
changed is restarted, a disabled or deleted endpoint is closed. A session that fails (server
gone, refused) is retried with exponential backoff. Lock order: the ingestion's own, then the
counter nodes (by id).
"""

import asyncio
import contextlib
import hashlib
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import orjson
from asyncua import Client, ua
from asyncua.crypto import security_policies, uacrypto
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mes.models import DeadLetterReason, NodeCarries, OpcUaEndpoint, OpcUaNode, SecurityMode
from mes.services.ingest import Ingestor, Rejected

logger = logging.getLogger(__name__)

KIND_OF = {
    NodeCarries.VALUE: "telemetry",
    NodeCarries.STATE: "state",
    NodeCarries.GOOD_COUNT: "count",
    NodeCarries.SCRAP_COUNT: "count",
}
COUNTERS = (NodeCarries.GOOD_COUNT, NodeCarries.SCRAP_COUNT)
LIVENESS_SECONDS = 1.0
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
STOP_SECONDS = 60  # the longest the sessions may take to close on shutdown
QUEUE_SIZE = 10  # changes a server keeps per node between two publishes


# --- configuration -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeConfig:
    pk: int
    endpoint_id: int
    node_id: str
    site: str
    equipment: str
    carries: str
    tag: str
    deadband: float | None


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """What a session needs; a change of any of it restarts the session. The secrets stay out of
    its repr (and so out of logs)."""

    endpoint_id: int
    code: str
    url: str
    security_mode: str
    security_policy: str
    username: str
    password: str = field(repr=False)
    publishing_interval_ms: int = 1000
    node_ids: tuple = ()
    client_certificate: str = field(default="", repr=False)
    client_private_key: str = field(default="", repr=False)
    server_certificate: str = ""


def read_configuration(site: str | None = None) -> tuple[dict[int, SessionConfig], dict[int, NodeConfig], dict]:
    """The enabled endpoints (of one site, or all), their nodes and the counters' last totals."""
    from mes.services.opcua import open_password

    endpoints = OpcUaEndpoint.objects.filter(enabled=True).select_related("site")
    if site:
        endpoints = endpoints.filter(site__code=site)
    nodes = (
        OpcUaNode.objects.filter(endpoint__in=endpoints, equipment__active=True)
        .select_related("equipment", "endpoint__site")
        .order_by("endpoint_id", "pk")
    )
    by_endpoint: dict[int, list] = {}
    node_configs: dict[int, NodeConfig] = {}
    counters: dict[int, int | None] = {}
    for node in nodes:
        by_endpoint.setdefault(node.endpoint_id, []).append((node.pk, node.node_id))
        node_configs[node.pk] = NodeConfig(
            node.pk,
            node.endpoint_id,
            node.node_id,
            node.endpoint.site.code,
            node.equipment.code,
            node.carries,
            node.tag,
            node.deadband,
        )
        if node.carries in COUNTERS:
            counters[node.pk] = node.counter_value
    sessions = {
        e.pk: SessionConfig(
            e.pk,
            e.code,
            e.url,
            e.security_mode,
            e.security_policy,
            e.username,
            open_password(e.password_sealed),
            e.publishing_interval_ms,
            tuple(by_endpoint.get(e.pk, ())),
            e.client_certificate,
            open_password(e.client_private_key_sealed),
            e.server_certificate,
        )
        for e in endpoints
    }
    return sessions, node_configs, counters


# --- clients -------------------------------------------------------------------------------------


async def make_client(config: SessionConfig, *, timeout: float) -> Client:
    """An asyncua client for the endpoint, with its user and security set (not yet connected).
    Signed sessions present the endpoint's client certificate (else the configured files) and
    trust only the endpoint's server certificate when one is given (else the one the server
    lists among its endpoints)."""
    client = Client(config.url, timeout=timeout)
    if config.username:
        client.set_user(config.username)
        client.set_password(config.password)
    if config.security_mode != SecurityMode.NONE:
        policy = getattr(security_policies, f"SecurityPolicy{config.security_policy}")
        mode = getattr(ua.MessageSecurityMode, config.security_mode)
        if config.client_certificate:
            certificate = uacrypto.CertProperties(config.client_certificate.encode(), extension="pem")
            key = uacrypto.CertProperties(config.client_private_key.encode(), extension="pem")
        else:
            certificate, key = settings.OPCUA_CLIENT_CERTIFICATE, settings.OPCUA_CLIENT_PRIVATE_KEY
        server = None
        if config.server_certificate:
            server = uacrypto.CertProperties(config.server_certificate.encode(), extension="pem")
        await client.set_security(policy, certificate, key, server_certificate=server, mode=mode)
    return client


def describe_failure(error: BaseException, url: str, timeout: float) -> str:
    """What went wrong connecting, in words a supervisor can act on."""
    if isinstance(error, TimeoutError | asyncio.TimeoutError):
        return _("No answer from %(url)s within %(s)g s.") % {"url": url, "s": timeout}
    if isinstance(error, ua.UaStatusCodeError):
        name = ua.StatusCode(error.code).name
        if "Security" in name or "Certificate" in name or "Identity" in name or "User" in name:
            return _("The server refused the connection (%(status)s): check the security settings and the user.") % {
                "status": name
            }
        return _("The server answered %(status)s.") % {"status": name}
    if isinstance(error, OSError):
        return _("Cannot reach %(url)s: %(error)s") % {"url": url, "error": error.strerror or error}
    return _("The connection failed: %(error)s") % {"error": error}


def _session_config(endpoint: OpcUaEndpoint, nodes) -> SessionConfig:
    from mes.services.opcua import open_password

    return SessionConfig(
        endpoint.pk,
        endpoint.code,
        endpoint.url,
        endpoint.security_mode,
        endpoint.security_policy,
        endpoint.username,
        open_password(endpoint.password_sealed),
        endpoint.publishing_interval_ms,
        tuple((n.pk, n.node_id) for n in nodes),
        endpoint.client_certificate,
        open_password(endpoint.client_private_key_sealed),
        endpoint.server_certificate,
    )


def probe_endpoint(endpoint: OpcUaEndpoint, nodes: list, *, timeout: float = 5.0):
    """Connect and read the server state and each node's current value (the test connection)."""
    from mes.services.opcua import ConnectionTest, NodeReading

    config = _session_config(endpoint, nodes)

    async def probe() -> ConnectionTest:
        try:
            client = await make_client(config, timeout=timeout)
        except (OSError, ValueError, ua.UaError) as error:
            return ConnectionTest(
                ok=False, error=_("The client certificate could not be loaded: %(error)s") % {"error": error}
            )
        try:
            await asyncio.wait_for(client.connect(), timeout)
        except (OSError, TimeoutError, ua.UaError, ConnectionError) as error:
            return ConnectionTest(ok=False, error=describe_failure(error, config.url, timeout))
        try:
            state = await asyncio.wait_for(client.nodes.server_state.read_value(), timeout)
            readings = []
            for node in nodes:
                reading = NodeReading(
                    node.node_id, equipment=node.equipment.code, label=node.tag or node.get_carries_display()
                )
                try:
                    value = await asyncio.wait_for(
                        client.get_node(node.node_id).read_data_value(raise_on_bad_status=False), timeout
                    )
                    reading.status = value.StatusCode.name
                    reading.value = value.Value.Value if value.Value is not None else None
                    if not value.StatusCode.is_good():
                        reading.error = _node_error(reading.status)
                except ua.UaStatusCodeError as error:
                    reading.status = ua.StatusCode(error.code).name
                    reading.error = _node_error(reading.status)
                except (TimeoutError, OSError, ConnectionError) as error:
                    reading.error = describe_failure(error, config.url, timeout)
                readings.append(reading)
            return ConnectionTest(ok=True, server_state=ua.ServerState(state).name, readings=readings)
        except (OSError, TimeoutError, ua.UaError, ConnectionError) as error:
            return ConnectionTest(ok=False, error=describe_failure(error, config.url, timeout))
        finally:
            with contextlib.suppress(OSError, TimeoutError, ua.UaError, ConnectionError):
                await asyncio.wait_for(client.disconnect(), timeout)

    return asyncio.run(probe())


# --- the connector -------------------------------------------------------------------------------


@dataclass(slots=True)
class Change:
    node_pk: int
    value: object
    status: ua.StatusCode
    ts: datetime | None


class _Handler:
    """asyncua's data-change handler of one session: hands each change to the batch thread."""

    def __init__(self, inbox: queue.Queue):
        self.inbox = inbox

    def datachange_notification(self, node, val, data) -> None:
        value = data.monitored_item.Value
        ts = value.SourceTimestamp or value.ServerTimestamp
        self.inbox.put(Change(data.subscription_data.client_handle, val, value.StatusCode or ua.StatusCode(), ts))

    def status_change_notification(self, status) -> None:
        logger.warning("subscription status changed: %s", status)


@dataclass
class Converted:
    messages: list = field(default_factory=list)
    rejected: list = field(default_factory=list)
    counters: dict = field(default_factory=dict)
    last_values: dict = field(default_factory=dict)


class OpcUaIngest:
    """Holds the sessions and applies batches until `stop` is set (`run`)."""

    def __init__(
        self,
        *,
        site: str | None = None,
        batch_values: int = 5000,
        flush_seconds: float = 0.2,
        reload_seconds: float = 10.0,
        timeout: float = 4.0,
        metrics=None,
    ):
        self.site = site
        self.batch_values = batch_values
        self.flush_seconds = flush_seconds
        self.reload_seconds = reload_seconds
        self.timeout = timeout
        self.metrics = metrics
        self.ingestor = Ingestor()
        self.inbox: queue.Queue[Change] = queue.Queue()
        self.nodes: dict[int, NodeConfig] = {}
        self.counters: dict[int, int | None] = {}
        self.last_values: dict[int, float] = {}
        self.sessions: dict[int, SessionConfig] = {}
        self.connected: set[int] = set()
        # The last failure of each endpoint's session and how many attempts failed in a row.
        self.failures: dict[int, str] = {}
        self.failed_attempts: dict[int, int] = {}
        self._tasks: dict[int, asyncio.Task] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="opcua-sessions", daemon=True)

    # --- sessions (the asyncio thread) -----------------------------------------------------------

    async def _session(self, config: SessionConfig) -> None:
        backoff = BACKOFF_FIRST
        while True:
            client = None
            try:
                client = await make_client(config, timeout=self.timeout)
                await asyncio.wait_for(client.connect(), self.timeout * 2)
                subscription = await client.create_subscription(
                    ua.CreateSubscriptionParameters(
                        RequestedPublishingInterval=config.publishing_interval_ms,
                        RequestedLifetimeCount=10000,
                        RequestedMaxKeepAliveCount=10,
                        MaxNotificationsPerPublish=10000,
                        PublishingEnabled=True,
                        Priority=0,
                    ),
                    _Handler(self.inbox),
                )
                if config.node_ids:
                    results = await subscription.create_monitored_items(
                        [self._monitored_item(pk, node_id, config) for pk, node_id in config.node_ids]
                    )
                    for (_pk, node_id), outcome in zip(config.node_ids, results, strict=True):
                        if isinstance(outcome, ua.StatusCode):
                            logger.warning("%s: node %s not monitored: %s", config.code, node_id, outcome.name)
                logger.info("%s: subscribed to %d nodes at %s", config.code, len(config.node_ids), config.url)
                self._set_connected(config.endpoint_id, True)
                self.failures.pop(config.endpoint_id, None)
                self.failed_attempts.pop(config.endpoint_id, None)
                backoff = BACKOFF_FIRST
                while True:
                    await asyncio.sleep(LIVENESS_SECONDS)
                    await asyncio.wait_for(client.nodes.server_state.read_value(), self.timeout)
            except asyncio.CancelledError:
                raise
            except (OSError, TimeoutError, ua.UaError, ConnectionError, ValueError) as error:
                failure = describe_failure(error, config.url, self.timeout)
                self.failures[config.endpoint_id] = failure
                self.failed_attempts[config.endpoint_id] = self.failed_attempts.get(config.endpoint_id, 0) + 1
                logger.warning("%s: %s; reconnecting in %.1f s", config.code, failure, backoff)
            finally:
                self._set_connected(config.endpoint_id, False)
                if client is not None:
                    await self._close(client)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)

    async def _close(self, client: Client) -> None:
        with contextlib.suppress(OSError, TimeoutError, ua.UaError, ConnectionError, asyncio.CancelledError):
            await asyncio.wait_for(client.disconnect(), self.timeout)

    @staticmethod
    def _monitored_item(pk: int, node_id: str, config: SessionConfig) -> ua.MonitoredItemCreateRequest:
        read = ua.ReadValueId()
        read.NodeId = ua.NodeId.from_string(node_id)
        read.AttributeId = ua.AttributeIds.Value
        parameters = ua.MonitoringParameters()
        parameters.ClientHandle = pk
        parameters.SamplingInterval = float(config.publishing_interval_ms)
        parameters.QueueSize = QUEUE_SIZE
        parameters.DiscardOldest = True
        request = ua.MonitoredItemCreateRequest()
        request.ItemToMonitor = read
        request.MonitoringMode = ua.MonitoringMode.Reporting
        request.RequestedParameters = parameters
        return request

    def _set_connected(self, endpoint_id: int, up: bool) -> None:
        if up:
            self.connected.add(endpoint_id)
        else:
            self.connected.discard(endpoint_id)
        if self.metrics is not None:
            self.metrics.connected.set(len(self.connected))

    async def _restart(self, wanted: dict[int, SessionConfig]) -> None:
        for endpoint_id, task in list(self._tasks.items()):
            if task.done() and not task.cancelled() and task.exception() is not None:
                # A failure the session loop does not expect: logged, and the session started anew.
                logger.error("%s: session ended", self.sessions[endpoint_id].code, exc_info=task.exception())
                del self._tasks[endpoint_id]
                continue
            if endpoint_id not in wanted or wanted[endpoint_id] != self.sessions.get(endpoint_id):
                task = self._tasks.pop(endpoint_id)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        for endpoint_id, config in wanted.items():
            if endpoint_id not in self._tasks:
                self._tasks[endpoint_id] = asyncio.get_running_loop().create_task(self._session(config))
        self.sessions = wanted

    async def _stop_all(self) -> None:
        await self._restart({})

    # --- configuration and batches (this thread) -------------------------------------------------

    def reload(self) -> None:
        """Read the configuration and restart the sessions it changed."""
        sessions, nodes, counters = read_configuration(self.site)
        self.nodes = nodes
        self.counters = counters
        self.last_values = {pk: v for pk, v in self.last_values.items() if pk in nodes}
        asyncio.run_coroutine_threadsafe(self._restart(sessions), self._loop).result()

    def convert(self, changes: list[Change], now: datetime) -> Converted:
        """The machine messages (and dead letters) of a batch of changes, with the counter totals
        and last values they leave behind once applied."""
        out = Converted()
        counters = dict(self.counters)
        last_values = dict(self.last_values)
        for change in changes:
            node = self.nodes.get(change.node_pk)
            if node is None:
                continue  # removed from the configuration since it was subscribed
            kind = KIND_OF[node.carries]
            topic = f"mes/{node.site}/{node.equipment}/{kind}"
            ts = change.ts or now
            if ts.tzinfo is None:
                ts = ts.replace(tzinfo=UTC)
            key = f"{node.endpoint_id}|{node.pk}|{node.node_id}|{ts.isoformat()}"
            msg_id = "opcua:" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
            body = {"msg_id": msg_id, "ts": ts.isoformat()}
            value = change.value
            if not change.status.is_good():
                body.update(node_id=node.node_id, status=change.status.name, value=_plain(value))
                detail = f"{node.node_id}: {change.status.name}"
                out.rejected.append((topic, orjson.dumps(body), Rejected(DeadLetterReason.BAD_STATUS, detail)))
                continue
            if node.carries == NodeCarries.VALUE:
                if type(value) is bool:
                    value = int(value)
                if type(value) in (int, float) and node.deadband:
                    last = last_values.get(node.pk)
                    if last is not None and abs(value - last) < node.deadband:
                        continue
                if type(value) in (int, float):
                    last_values[node.pk] = value
                body["values"] = {node.tag: _plain(value)}
            elif node.carries == NodeCarries.STATE:
                body["state"] = value.strip().lower() if isinstance(value, str) else _plain(value)
            else:
                name, other = ("good", "scrap") if node.carries == NodeCarries.GOOD_COUNT else ("scrap", "good")
                if type(value) is int and value >= 0:
                    last = counters.get(node.pk)
                    counters[node.pk] = value
                    out.counters[node.pk] = value
                    if last is None or value == last:
                        continue  # the base, or no change
                    body[name] = value - last if value > last else value
                else:
                    body[name] = _plain(value)
                body[other] = 0
            out.messages.append((topic, orjson.dumps(body)))
        out.last_values = last_values
        return out

    def apply(self, changes: list[Change], stop: threading.Event | None = None) -> None:
        """Convert and apply one batch in one transaction, retrying on database errors."""
        started = time.monotonic()
        while True:
            now = timezone.now()
            converted = self.convert(changes, now)
            try:
                with transaction.atomic():
                    result = self.ingestor.ingest(converted.messages, now=now, refused=converted.rejected)
                    for pk in sorted(converted.counters):
                        OpcUaNode.objects.filter(pk=pk).update(counter_value=converted.counters[pk])
                break
            except DatabaseError:
                logger.exception("batch of %d changes failed; retrying", len(changes))
                connection.close()
                if stop is not None and stop.wait(1.0):
                    raise
                close_old_connections()
        self.counters.update(converted.counters)
        self.last_values = converted.last_values
        if self.metrics is not None:
            self.metrics.observe(result, len(changes), time.monotonic() - started, self.inbox.qsize())

    def _collect(self, stop: threading.Event) -> list[Change]:
        try:
            first = self.inbox.get(timeout=0.25)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.flush_seconds
        while len(batch) < self.batch_values:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or stop.is_set():
                break
            try:
                batch.append(self.inbox.get(timeout=min(remaining, 0.02)))
            except queue.Empty:
                break
        return batch

    def _drain(self) -> list[Change]:
        batch = []
        while True:
            try:
                batch.append(self.inbox.get_nowait())
            except queue.Empty:
                return batch

    def run(self, stop: threading.Event, *, ready: threading.Event | None = None) -> None:
        """Subscribe and apply until `stop` is set; then close the sessions and apply what they
        had delivered (nothing received is dropped)."""
        self._thread.start()
        try:
            self.reload()
            if ready is not None:
                ready.set()
            reloaded = time.monotonic()
            while not stop.is_set():
                batch = self._collect(stop)
                if batch:
                    self.apply(batch, stop)
                if time.monotonic() - reloaded >= self.reload_seconds:
                    self.reload()
                    reloaded = time.monotonic()
        finally:
            asyncio.run_coroutine_threadsafe(self._stop_all(), self._loop).result(timeout=STOP_SECONDS)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=self.timeout)
            rest = self._drain()
            if rest:
                self.apply(rest)
            connection.close()


def _node_error(status: str) -> str:
    if status == "BadNodeIdUnknown":
        return _("The server has no node with this id.")
    if status == "BadUserAccessDenied":
        return _("The user may not read this node.")
    return _("The server answered %(status)s.") % {"status": status}


def _plain(value):
    """A value as JSON can carry it: numbers and strings as they are, anything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)[:60]
