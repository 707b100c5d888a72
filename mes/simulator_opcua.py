"""The demo plant's machines as an OPC UA server (`simulate_plant --opcua-port`): what the
simulator would publish over MQTT is written to variables instead, one object per machine
(`ns=<ns>;s=<equipment>.<tag>` for each telemetry tag, `.State` for the state name, `.GoodTotal`
and `.ScrapTotal` for running part counters). `set_up_endpoints` records an endpoint per site
with a node for each of them, so `ingest_opcua` reads the demo without anything typed in.

With `secure`, the server offers only Basic256Sha256 (Sign, SignAndEncrypt) under a fresh
self-signed certificate and trusts only the client certificate it made alongside; the endpoints
recorded then use SignAndEncrypt with that client certificate and pin the server's."""

import asyncio
import threading

import orjson
from asyncua import Server, ua
from asyncua.common.utils import ServiceError
from asyncua.crypto import cert_gen
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from mes.models import Equipment, NodeCarries, OpcUaEndpoint, OpcUaNode

NAMESPACE = "urn:factory:simulator"
TAGS = ("temperature", "pressure", "vibration", "current")  # what mes.simulator reports
CLIENT_URI = "urn:example.org:FreeOpcUa:opcua-asyncio"  # the application URI of asyncua's client


def make_certificate(name: str, uri: str, *, server: bool) -> tuple[str, str]:
    """A self-signed OPC UA application certificate and its RSA key, both PEM."""
    key = cert_gen.generate_private_key()
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    certificate = cert_gen.generate_self_signed_app_certificate(
        key, name, {}, [x509.UniformResourceIdentifier(uri), x509.DNSName("localhost")], extended=[usage]
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), cert_gen.dump_private_key_as_pem(key).decode()


class OpcUaPlantServer:
    """An asyncua server in a thread of its own; `apply(messages)` writes the simulator's
    messages (topic, JSON payload) to its variables."""

    def __init__(self, *, port: int, host: str = "0.0.0.0", secure: bool = False):  # noqa: S104 - the container's OPC UA port
        self.url = f"opc.tcp://{host}:{port}/factory/"
        self.secure = secure
        self.server_certificate = self.server_key = self.client_certificate = self.client_key = ""
        if secure:
            self.server_certificate, self.server_key = make_certificate(
                "Smart Factory plant simulator", "urn:factory:simulator:server", server=True
            )
            self.client_certificate, self.client_key = make_certificate("Smart Factory MES", CLIENT_URI, server=False)
        self.ns = 2
        self._variables: dict[str, object] = {}
        self._objects: dict[str, object] = {}
        self._totals: dict[str, int] = {}
        self._server = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="opcua-simulator", daemon=True)

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(30)

    async def _start(self, machines):
        server = Server()
        await server.init()
        server.set_endpoint(self.url)
        server.set_server_name("Smart Factory plant simulator")
        if self.secure:
            server.set_security_policy(
                [ua.SecurityPolicyType.Basic256Sha256_Sign, ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt]
            )
            await server.load_certificate(self.server_certificate.encode(), format="pem")
            await server.load_private_key(self.server_key.encode(), format="pem")
            server.set_certificate_validator(self._trust_own_client)
        else:
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        self.ns = await server.register_namespace(NAMESPACE)
        self._server = server
        # Every node exists from the start, so a subscription made before the first part or
        # reading finds it.
        for equipment in machines:
            await self._variable(equipment, "State", "idle")
            for name in ("GoodTotal", "ScrapTotal"):
                await self._variable(equipment, name, ua.Variant(0, ua.VariantType.Int64))
            for tag in TAGS:
                await self._variable(equipment, tag, 0.0)
        await server.start()

    async def _trust_own_client(self, certificate, app_description) -> None:
        trusted = x509.load_pem_x509_certificate(self.client_certificate.encode()).fingerprint(hashes.SHA256())
        if certificate.fingerprint(hashes.SHA256()) != trusted:
            raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)

    def start(self, machines=()) -> None:
        """Serve, with the variables of each equipment code in `machines` made up front."""
        self._thread.start()
        self._run(self._start(list(machines)))

    def stop(self) -> None:
        if self._server is not None:
            self._run(self._server.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _variable(self, equipment: str, name: str, initial):
        key = f"{equipment}.{name}"
        variable = self._variables.get(key)
        if variable is None:
            machine = self._objects.get(equipment)
            if machine is None:
                machine = await self._server.nodes.objects.add_object(ua.NodeId(equipment, self.ns), equipment)
                self._objects[equipment] = machine
            variable = await machine.add_variable(ua.NodeId(key, self.ns), name, initial)
            self._variables[key] = variable
        return variable

    async def _write(self, equipment: str, name: str, value) -> None:
        variable = await self._variable(equipment, name, value)
        await variable.write_value(value)

    async def _apply(self, messages) -> None:
        for topic, payload in messages:
            _mes, _site, equipment, kind = topic.split("/")
            body = orjson.loads(payload)
            if kind == "telemetry":
                for tag, value in body["values"].items():
                    await self._write(equipment, tag, float(value))
            elif kind == "state":
                await self._write(equipment, "State", body["state"])
            else:
                for name, field in (("GoodTotal", "good"), ("ScrapTotal", "scrap")):
                    key = f"{equipment}.{name}"
                    self._totals[key] = self._totals.get(key, 0) + body[field]
                    await self._write(equipment, name, ua.Variant(self._totals[key], ua.VariantType.Int64))

    def apply(self, messages) -> None:
        self._run(self._apply(messages))


def set_up_endpoints(
    *, url: str, site_codes=None, namespace: int = 2, server: "OpcUaPlantServer | None" = None
) -> list[OpcUaEndpoint]:
    """An endpoint `<site>-SIM-UA` per site at `url`, with the state, counter and telemetry nodes
    of each of its machines (idempotent); for a secure `server`, signed and encrypted with its
    certificates."""
    from mes.services import opcua

    security = {
        "security_mode": "None",
        "security_policy": "None",
        "client_certificate": "",
        "client_private_key": "",
        "server_certificate": "",
    }
    if server is not None and server.secure:
        security = {
            "security_mode": "SignAndEncrypt",
            "security_policy": "Basic256Sha256",
            "client_certificate": server.client_certificate,
            "client_private_key": server.client_key,
            "server_certificate": server.server_certificate,
        }

    endpoints = []
    equipment = Equipment.objects.filter(active=True).select_related("site").order_by("site__code", "code")
    if site_codes:
        equipment = equipment.filter(site__code__in=site_codes)
    by_site: dict = {}
    for machine in equipment:
        by_site.setdefault(machine.site, []).append(machine)
    for site, machines in by_site.items():
        code = f"{site.code}-SIM-UA"
        endpoint = OpcUaEndpoint.objects.filter(code=code).first()
        if endpoint is None:
            endpoint = opcua.create_endpoint(
                user=None, site=site, code=code, name="Plant simulator", url=url, **security
            )
        else:
            endpoint = opcua.update_endpoint(endpoint=endpoint, user=None, data={"url": url, **security})
        known = set(OpcUaNode.objects.filter(endpoint=endpoint).values_list("node_id", flat=True))
        for machine in machines:
            wanted = [
                ("State", NodeCarries.STATE, ""),
                ("GoodTotal", NodeCarries.GOOD_COUNT, ""),
                ("ScrapTotal", NodeCarries.SCRAP_COUNT, ""),
                *((tag, NodeCarries.VALUE, tag) for tag in TAGS),
            ]
            for name, carries, tag in wanted:
                node_id = f"ns={namespace};s={machine.code}.{name}"
                if node_id not in known:
                    opcua.create_node(
                        user=None, endpoint=endpoint, equipment=machine, node_id=node_id, carries=carries, tag=tag
                    )
        endpoints.append(endpoint)
    return endpoints
