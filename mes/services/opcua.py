"""Setting up OPC UA sources: endpoints (one server each, per site) and the nodes read from them.
The desk pages and the API call these; `manage.py ingest_opcua` reads what they wrote.

The password and the client private key of an endpoint are sealed with Fernet under a key derived from SECRET_KEY (HKDF), so
the database alone does not give it away; it is never sent back out. Changing SECRET_KEY means
entering the passwords again.
"""

import base64
from dataclasses import dataclass
from urllib.parse import urlparse

from asyncua import ua
from cryptography import x509
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import NotFound, ValidationFailed
from core.scoping import require_site_access
from mes.models import NodeCarries, OpcUaEndpoint, OpcUaNode, SecurityMode, SecurityPolicy
from mes.services.ingest import MAX_TAG

ENDPOINT_FIELDS = (
    "site",
    "code",
    "name",
    "url",
    "security_mode",
    "security_policy",
    "username",
    "password",
    "client_certificate",
    "client_private_key",
    "server_certificate",
    "enabled",
    "publishing_interval_ms",
)
NODE_FIELDS = ("endpoint", "equipment", "node_id", "carries", "tag", "deadband")
MIN_PUBLISHING_MS = 10
MAX_PUBLISHING_MS = 3_600_000
COUNTER_KINDS = (NodeCarries.GOOD_COUNT, NodeCarries.SCRAP_COUNT)


# --- the sealed password -------------------------------------------------------------------------


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mes.opcua.endpoint-password").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal_password(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode() if password else ""


def open_password(sealed: str) -> str:
    """The endpoint's password in clear, for the connection only; "" when it cannot be opened
    (SECRET_KEY changed since it was entered)."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""


# --- certificates --------------------------------------------------------------------------------

MAX_PEM = 20_000


def _load_certificate(pem: str, field: str) -> x509.Certificate:
    refused = ValidationFailed(_("Not a PEM certificate (-----BEGIN CERTIFICATE----- ...)."), field=field)
    if len(pem) > MAX_PEM:
        raise refused
    try:
        certificate = x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, TypeError, UnicodeError):
        raise refused from None
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise ValidationFailed(_("OPC UA security policies need an RSA certificate."), field=field)
    return certificate


def _load_private_key(pem: str, field: str = "client_private_key"):
    refused = ValidationFailed(_("Not an unencrypted PEM private key (-----BEGIN PRIVATE KEY----- ...)."), field=field)
    if len(pem) > MAX_PEM:
        raise refused
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError, UnicodeError):
        raise refused from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValidationFailed(_("OPC UA security policies need an RSA key."), field=field)
    return key


def _check_certificates(endpoint: OpcUaEndpoint) -> None:
    """The PEMs given are readable, the key belongs to the certificate, and a signed session has
    a client certificate (the endpoint's own or the configured files)."""
    endpoint.client_certificate = (endpoint.client_certificate or "").strip()
    endpoint.server_certificate = (endpoint.server_certificate or "").strip()
    certificate = (
        _load_certificate(endpoint.client_certificate, "client_certificate") if endpoint.client_certificate else None
    )
    if endpoint.server_certificate:
        _load_certificate(endpoint.server_certificate, "server_certificate")
    key_pem = open_password(endpoint.client_private_key_sealed)
    if endpoint.client_private_key_sealed and not key_pem:
        raise ValidationFailed(
            _("The stored private key cannot be read any more; enter it again."), field="client_private_key"
        )
    if certificate is not None and not key_pem:
        raise ValidationFailed(_("Give the private key of the client certificate."), field="client_private_key")
    if key_pem and certificate is None:
        raise ValidationFailed(_("Give the client certificate of this private key."), field="client_certificate")
    if certificate is not None:
        key = _load_private_key(key_pem)
        if key.public_key().public_numbers() != certificate.public_key().public_numbers():
            raise ValidationFailed(
                _("This private key does not belong to the client certificate."), field="client_private_key"
            )
    if (
        endpoint.security_mode != SecurityMode.NONE
        and certificate is None
        and not (settings.OPCUA_CLIENT_CERTIFICATE and settings.OPCUA_CLIENT_PRIVATE_KEY)
    ):
        raise ValidationFailed(
            _("Signed connections need a client certificate and its private key."), field="client_certificate"
        )


# --- checks --------------------------------------------------------------------------------------


def parse_node_id(text: str) -> ua.NodeId:
    """The NodeId that `text` names (`ns=2;s=Press1.Temperature`, `i=2258`), or ValidationFailed."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("Give the node id."), field="node_id")
    refused = ValidationFailed(
        _("Not an OPC UA node id (for example ns=2;s=Press1.Temperature or ns=2;i=1001)."), field="node_id"
    )
    try:
        node_id = ua.NodeId.from_string(text)
    except (ua.UaError, ValueError):
        raise refused from None
    # What the binary protocol can carry: a UInt16 namespace, a UInt32 numeric identifier.
    if not 0 <= node_id.NamespaceIndex <= 0xFFFF:
        raise refused
    if isinstance(node_id.Identifier, int) and not 0 <= node_id.Identifier <= 0xFFFFFFFF:
        raise refused
    return node_id


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.scheme != "opc.tcp" or not parsed.hostname:
        raise ValidationFailed(_("Give an opc.tcp://host:port URL."), field="url")
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise ValidationFailed(_("The port is not a number."), field="url") from None
    return url


def _validate_endpoint(endpoint: OpcUaEndpoint, user) -> None:
    if not endpoint.site_id:
        raise ValidationFailed(_("Name the site."), field="site")
    require_site_access(user, endpoint.site_id)
    endpoint.code = (endpoint.code or "").strip()
    endpoint.name = (endpoint.name or "").strip() or endpoint.code
    if not endpoint.code:
        raise ValidationFailed(_("Give the code."), field="code")
    endpoint.url = _check_url(endpoint.url)
    if endpoint.security_mode not in SecurityMode.values:
        raise ValidationFailed(_("Unknown security mode."), field="security_mode")
    if endpoint.security_policy not in SecurityPolicy.values:
        raise ValidationFailed(_("Unknown security policy."), field="security_policy")
    if (endpoint.security_mode == SecurityMode.NONE) != (endpoint.security_policy == SecurityPolicy.NONE):
        raise ValidationFailed(
            _("Security mode None goes with policy None; Sign and Sign and encrypt need a policy."),
            field="security_policy",
        )
    _check_certificates(endpoint)
    endpoint.username = (endpoint.username or "").strip()
    if endpoint.password_sealed and not endpoint.username:
        raise ValidationFailed(_("A password needs a user name."), field="username")
    interval = endpoint.publishing_interval_ms
    if not isinstance(interval, int) or not MIN_PUBLISHING_MS <= interval <= MAX_PUBLISHING_MS:
        raise ValidationFailed(
            _("Between %(low)d and %(high)d milliseconds.") % {"low": MIN_PUBLISHING_MS, "high": MAX_PUBLISHING_MS},
            field="publishing_interval_ms",
        )
    taken = OpcUaEndpoint.objects.filter(code=endpoint.code).exclude(pk=endpoint.pk)
    if taken.exists():
        raise ValidationFailed(_("An endpoint with this code exists."), field="code")


def _save_unique(record, *, field: str, message: str, update_fields=None) -> None:
    """Save; the unique constraint answers a record written at the same moment (400, not 500)."""
    try:
        with transaction.atomic():
            record.save(update_fields=update_fields)
    except IntegrityError:
        raise ValidationFailed(message, field=field) from None


# --- endpoints -----------------------------------------------------------------------------------


def _apply_endpoint(endpoint: OpcUaEndpoint, data: dict) -> None:
    for name, value in data.items():
        if name not in ENDPOINT_FIELDS:
            raise ValidationFailed(_("Unknown field."), field=name)
        if name == "password":
            # None or absent keeps the password; "" clears it.
            if value is not None:
                endpoint.password_sealed = seal_password(value)
        elif name == "client_private_key":
            # The same: None keeps the key, "" clears it; a key is checked before it is sealed.
            if value is not None:
                value = value.strip()
                if value:
                    _load_private_key(value)
                endpoint.client_private_key_sealed = seal_password(value)
        elif value is not None or name not in ("security_mode", "security_policy", "enabled"):
            setattr(endpoint, name, value if value is not None else "")


def create_endpoint(*, user, **data) -> OpcUaEndpoint:
    """A new OPC UA server to read machine data from."""
    endpoint = OpcUaEndpoint()
    _apply_endpoint(endpoint, data)
    _validate_endpoint(endpoint, user)
    _save_unique(endpoint, field="code", message=_("An endpoint with this code exists."))
    return endpoint


def update_endpoint(*, endpoint: OpcUaEndpoint, user, data: dict) -> OpcUaEndpoint:
    """Change an endpoint; the connector picks the change up at its next configuration read."""
    require_site_access(user, endpoint.site_id)
    moved = "site" in data and data["site"] is not None and data["site"].pk != endpoint.site_id
    if moved and endpoint.nodes.exists():
        raise ValidationFailed(_("Its nodes feed equipment of this site; move them first."), field="site")
    _apply_endpoint(endpoint, data)
    _validate_endpoint(endpoint, user)
    _save_unique(endpoint, field="code", message=_("An endpoint with this code exists."))
    return endpoint


# --- nodes ---------------------------------------------------------------------------------------


def _validate_node(node: OpcUaNode, user) -> None:
    if not node.endpoint_id:
        raise ValidationFailed(_("Name the endpoint."), field="endpoint")
    require_site_access(user, node.endpoint.site_id, message=_("Unknown endpoint."))
    if not node.equipment_id:
        raise ValidationFailed(_("Name the equipment."), field="equipment")
    if node.equipment.site_id != node.endpoint.site_id:
        raise ValidationFailed(_("The equipment belongs to another site than the endpoint."), field="equipment")
    node.node_id = parse_node_id(node.node_id).to_string()
    if node.carries not in NodeCarries.values:
        raise ValidationFailed(_("Unknown kind of value."), field="carries")
    node.tag = (node.tag or "").strip()
    if node.carries == NodeCarries.VALUE:
        if not node.tag:
            raise ValidationFailed(_("Name the tag the value is stored under."), field="tag")
        if len(node.tag) > MAX_TAG:
            raise ValidationFailed(_("Keep the tag to %(n)d characters.") % {"n": MAX_TAG}, field="tag")
        if node.deadband is not None and not node.deadband >= 0:
            raise ValidationFailed(_("The deadband is zero or more."), field="deadband")
    else:
        node.tag = ""
        node.deadband = None
    taken = OpcUaNode.objects.filter(endpoint_id=node.endpoint_id, node_id=node.node_id).exclude(pk=node.pk)
    if taken.exists():
        raise ValidationFailed(_("This endpoint already reads this node."), field="node_id")


def create_node(*, user, **data) -> OpcUaNode:
    """Read one more node of an endpoint, for one equipment."""
    unknown = set(data) - set(NODE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    node = OpcUaNode(**{k: v for k, v in data.items() if v is not None})
    _validate_node(node, user)
    _save_unique(node, field="node_id", message=_("This endpoint already reads this node."))
    return node


def update_node(*, node: OpcUaNode, user, data: dict) -> OpcUaNode:
    """Change a node's mapping. Only the fields set up here are written: the counter position
    belongs to the connector. A counter given another node or meaning starts from a new base."""
    require_site_access(user, node.endpoint.site_id, message=_("Unknown endpoint."))
    before = (node.node_id, node.carries, node.endpoint_id)
    for name, value in data.items():
        if name not in NODE_FIELDS:
            raise ValidationFailed(_("Unknown field."), field=name)
        setattr(node, name, value if value is not None or name == "deadband" else getattr(node, name))
    _validate_node(node, user)
    fields = [*[f for f in NODE_FIELDS if f not in ("endpoint", "equipment")], "endpoint", "equipment", "updated_at"]
    if (node.node_id, node.carries, node.endpoint_id) != before:
        node.counter_value = None
        fields.append("counter_value")
    _save_unique(node, field="node_id", message=_("This endpoint already reads this node."), update_fields=fields)
    return node


def delete_node(*, node: OpcUaNode, user) -> None:
    """Stop reading a node. Deleted by its id in one statement: a second delete at the same
    moment finds nothing (404)."""
    require_site_access(user, node.endpoint.site_id, message=_("Unknown endpoint."))
    with transaction.atomic():
        deleted, _rows = OpcUaNode.objects.filter(pk=node.pk).delete()
    if not deleted:
        raise NotFound(_("Unknown node."))


# --- test connection -----------------------------------------------------------------------------


@dataclass
class NodeReading:
    node_id: str
    value: object = None
    status: str = ""
    error: str = ""
    equipment: str = ""
    label: str = ""


@dataclass
class ConnectionTest:
    """What a test connection found: `error` when the server could not be reached or refused
    the session, else the server's state and one reading per node."""

    ok: bool
    error: str = ""
    server_state: str = ""
    readings: list = None


def test_endpoint(*, endpoint: OpcUaEndpoint, user, timeout: float = 5.0) -> ConnectionTest:
    """Connect to the endpoint as the connector would and read each node's current value."""
    require_site_access(user, endpoint.site_id)
    from mes.ingest.opcua import probe_endpoint

    nodes = list(endpoint.nodes.select_related("equipment").order_by("node_id"))
    return probe_endpoint(endpoint, nodes, timeout=timeout)
