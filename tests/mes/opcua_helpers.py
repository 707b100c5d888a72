"""An OPC UA server run in-process (asyncua, in a thread with its own event loop) on a free port,
with variables the tests write, stop and start again; and the connector in a thread."""

import asyncio
import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass

from asyncua import Server, ua
from asyncua.common.utils import ServiceError
from asyncua.crypto import cert_gen
from asyncua.crypto.permission_rules import User, UserRole
from asyncua.server.user_managers import UserManager
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from bench._server import free_port
from mes.ingest.opcua import OpcUaIngest

NAMESPACE = "urn:factory:test"
# asyncua logs every session and its security warnings; the tests read outcomes, not those.
logging.getLogger("asyncua").setLevel(logging.ERROR)


CLIENT_URI = "urn:example.org:FreeOpcUa:opcua-asyncio"  # asyncua's client application URI


@dataclass(frozen=True)
class Identity:
    certificate: str  # PEM
    private_key: str  # PEM


def make_identity(name: str, uri: str, *, server: bool = False) -> Identity:
    """A self-signed application certificate and its RSA key, as OPC UA wants them."""
    key = cert_gen.generate_private_key()
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    certificate = cert_gen.generate_self_signed_app_certificate(
        key, name, {}, [x509.UniformResourceIdentifier(uri), x509.DNSName("localhost")], extended=[usage]
    )
    return Identity(
        certificate.public_bytes(serialization.Encoding.PEM).decode(),
        cert_gen.dump_private_key_as_pem(key).decode(),
    )


class _Users(UserManager):
    def __init__(self, users: dict):
        self.users = users

    def get_user(self, iserver, username=None, password=None, certificate=None):
        if username is not None and self.users.get(username) == password:
            return User(role=UserRole.User)
        return None


class PlantServer:
    """`variables` maps a name to its initial value; each is the node `ns=<ns>;s=<name>`.

    With `identity`, the server offers only Basic256Sha256 (Sign and SignAndEncrypt) and
    Aes128Sha256RsaOaep, trusts only the client certificates in `trusted` (PEMs) and, with
    `users`, takes only those user names and passwords."""

    def __init__(self, variables: dict, *, identity: Identity | None = None, trusted=(), users=None):
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
        self.identity = identity
        self.trusted = {x509.load_pem_x509_certificate(pem.encode()).fingerprint(hashes.SHA256()) for pem in trusted}
        self.users = users
        self.refused = 0  # client certificates refused

    async def _validate(self, certificate, app_description) -> None:
        """Trust only the listed client certificates."""
        if certificate.fingerprint(hashes.SHA256()) not in self.trusted:
            self.refused += 1
            raise ServiceError(ua.StatusCodes.BadCertificateUntrusted)

    def _run(self, coroutine, timeout: float = 60.0):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def node_id(self, name: str) -> str:
        return f"ns={self.ns};s={name}"

    async def _start(self):
        server = Server(user_manager=_Users(self.users) if self.users is not None else None)
        await server.init()
        server.set_endpoint(self.url)
        if self.identity is None:
            server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
        else:
            server.set_security_policy(
                [
                    ua.SecurityPolicyType.Basic256Sha256_Sign,
                    ua.SecurityPolicyType.Basic256Sha256_SignAndEncrypt,
                    ua.SecurityPolicyType.Aes128Sha256RsaOaep_SignAndEncrypt,
                ]
            )
            await server.load_certificate(self.identity.certificate.encode(), format="pem")
            await server.load_private_key(self.identity.private_key.encode(), format="pem")
            server.set_certificate_validator(self._validate)
        if self.users is not None:
            server.set_security_IDs(["Username"])
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
def plant_server(variables: dict, **security):
    server = PlantServer(variables, **security)
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
