"""An OPC UA server run in-process (asyncua, in a thread with its own event loop) on a free port,
with variables the tests write, stop and start again; and the connector in a thread."""

import asyncio
import logging
import threading
from contextlib import contextmanager

from asyncua import Server, ua

from bench._server import free_port
from mes.ingest.opcua import OpcUaIngest

NAMESPACE = "urn:factory:test"
# asyncua logs every session and its security warnings; the tests read outcomes, not those.
logging.getLogger("asyncua").setLevel(logging.ERROR)


class PlantServer:
    """`variables` maps a name to its initial value; each is the node `ns=<ns>;s=<name>`."""

    def __init__(self, variables: dict):
        self.port = free_port()
        self.url = f"opc.tcp://127.0.0.1:{self.port}/factory/"
        self.initial = dict(variables)
        self.values = dict(variables)
        self.ns = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = None
        self.running = False
        self._nodes = {}

    def _run(self, coroutine, timeout: float = 60.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def node_id(self, name: str) -> str:
        return f"ns={self.ns};s={name}"

    async def _start(self):
        server = Server()
        await server.init()
        server.set_endpoint(self.url)
        server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        self.ns = await server.register_namespace(NAMESPACE)
        machine = await server.nodes.objects.add_object(self.ns, "Machine")
        for name, value in self.values.items():
            self._nodes[name] = await machine.add_variable(ua.NodeId(name, self.ns), name, value)
        await server.start()
        self._server = server

    def start(self) -> None:
        """Serve; after a `stop`, the same address space with its values and timestamps."""
        self._run(self._start() if self._server is None else self._server.start())
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run(self._server.stop())
            self.running = False

    async def _write(self, name, value, status):
        node = self._nodes[name]
        variant_type = await node.read_data_type_as_variant_type()
        data = ua.DataValue(ua.Variant(value, variant_type), StatusCode=ua.StatusCode(status or ua.StatusCodes.Good))
        await node.write_value(data)

    def write(self, name: str, value, *, status=None) -> None:
        """Set a variable as the machine would (a status other than Good marks the value bad)."""
        self.values[name] = value
        self._run(self._write(name, value, status))

    async def _cancel_rest(self):
        rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    def close(self) -> None:
        self.stop()
        self._run(self._cancel_rest())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@contextmanager
def plant_server(variables: dict):
    server = PlantServer(variables)
    server.start()
    try:
        yield server
    finally:
        server.close()


@contextmanager
def connector(**kwargs):
    """The OPC UA connector in a thread (its own database connection) while the block runs."""
    stop = threading.Event()
    ready = threading.Event()
    kwargs.setdefault("flush_seconds", 0.05)
    kwargs.setdefault("timeout", 2.0)
    runner = OpcUaIngest(**kwargs)
    thread = threading.Thread(target=runner.run, args=(stop,), kwargs={"ready": ready}, daemon=True)
    thread.start()
    try:
        assert ready.wait(60), "the connector did not start"
        yield runner
    finally:
        stop.set()
        thread.join(60)
        assert not thread.is_alive(), "the connector did not stop"
