"""The demo plant's machines as an OPC UA server (`simulate_plant --opcua-port`): what the
simulator would publish over MQTT is written to variables instead, one object per machine
(`ns=<ns>;s=<equipment>.<tag>` for each telemetry tag, `.State` for the state name, `.GoodTotal`
and `.ScrapTotal` for running part counters). `set_up_endpoints` records an endpoint per site
with a node for each of them, so `ingest_opcua` reads the demo without anything typed in."""

import asyncio
import threading

import orjson
from asyncua import Server, ua

from mes.models import Equipment, NodeCarries, OpcUaEndpoint, OpcUaNode

NAMESPACE = "urn:factory:simulator"
TAGS = ("temperature", "pressure", "vibration", "current")  # what mes.simulator reports


class OpcUaPlantServer:
    """An asyncua server in a thread of its own; `apply(messages)` writes the simulator's
    messages (topic, JSON payload) to its variables."""

    def __init__(self, *, port: int, host: str = "0.0.0.0"):  # noqa: S104 - the container's OPC UA port
        self.url = f"opc.tcp://{host}:{port}/factory/"
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


def set_up_endpoints(*, url: str, site_codes=None, namespace: int = 2) -> list[OpcUaEndpoint]:
    """An endpoint `<site>-SIM-UA` per site at `url`, with the state, counter and telemetry nodes
    of each of its machines (idempotent)."""
    from mes.services import opcua

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
            endpoint = opcua.create_endpoint(user=None, site=site, code=code, name="Plant simulator", url=url)
        elif endpoint.url != url:
            endpoint = opcua.update_endpoint(endpoint=endpoint, user=None, data={"url": url})
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
