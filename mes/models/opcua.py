"""OPC UA sources of machine data: an endpoint (one server) per site, and the nodes read from it,
each mapped to an equipment and to what it carries (a telemetry value under a tag, the
equipment's state, or a good or scrap part counter). `manage.py ingest_opcua` subscribes to them
and feeds the same ingestion as MQTT."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet
from mes.models.base import SiteCodedRecord


class SecurityMode(models.TextChoices):
    NONE = "None", _("None")
    SIGN = "Sign", _("Sign")
    SIGN_AND_ENCRYPT = "SignAndEncrypt", _("Sign and encrypt")


class SecurityPolicy(models.TextChoices):
    NONE = "None", _("None")
    BASIC256SHA256 = "Basic256Sha256", "Basic256Sha256"
    AES128_SHA256_RSAOAEP = "Aes128Sha256RsaOaep", "Aes128Sha256RsaOaep"
    AES256_SHA256_RSAPSS = "Aes256Sha256RsaPss", "Aes256Sha256RsaPss"


class NodeCarries(models.TextChoices):
    VALUE = "value", _("A telemetry value")
    STATE = "state", _("The equipment state")
    GOOD_COUNT = "good_count", _("A good-part counter")
    SCRAP_COUNT = "scrap_count", _("A scrap counter")


class OpcUaEndpoint(SiteCodedRecord):
    """One OPC UA server the connector subscribes to. The password and the client's private key
    are kept encrypted (`mes.services.opcua.seal_password`) and never shown again. Signed sessions
    use the endpoint's own client certificate, else the one of OPCUA_CLIENT_CERTIFICATE; a
    server certificate given here is the only one trusted (else the one the server presents)."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="opcua_endpoints", verbose_name=_("site"))
    url = models.CharField(_("endpoint URL"), max_length=500, help_text=_("opc.tcp://host:4840/path"))
    security_mode = models.CharField(
        _("security mode"), max_length=20, choices=SecurityMode.choices, default=SecurityMode.NONE
    )
    security_policy = models.CharField(
        _("security policy"), max_length=30, choices=SecurityPolicy.choices, default=SecurityPolicy.NONE
    )
    username = models.CharField(_("user name"), max_length=200, blank=True)
    password_sealed = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    client_certificate = models.TextField(
        _("client certificate (PEM)"),
        blank=True,
        help_text=_("The certificate this connector presents; the server must trust it."),
    )
    client_private_key_sealed = models.TextField(_("client private key (encrypted)"), blank=True, editable=False)
    server_certificate = models.TextField(
        _("server certificate (PEM)"),
        blank=True,
        help_text=_("Trust only this server certificate. Leave blank to accept the one the server presents."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    publishing_interval_ms = models.PositiveIntegerField(
        _("publishing interval (ms)"), default=1000, help_text=_("How often the server sends changed values.")
    )

    class Meta(SiteCodedRecord.Meta):
        verbose_name = _("OPC UA endpoint")
        verbose_name_plural = _("OPC UA endpoints")

    @property
    def has_password(self) -> bool:
        return bool(self.password_sealed)

    @property
    def has_client_key(self) -> bool:
        return bool(self.client_private_key_sealed)


class OpcUaNode(models.Model):
    """One node of an endpoint and what its value means for one equipment. A counter node holds
    the machine's running total; the connector books the increase since `counter_value`."""

    endpoint = models.ForeignKey(OpcUaEndpoint, models.CASCADE, related_name="nodes", verbose_name=_("endpoint"))
    equipment = models.ForeignKey(
        "mes.Equipment", models.PROTECT, related_name="opcua_nodes", verbose_name=_("equipment")
    )
    node_id = models.CharField(_("node id"), max_length=300, help_text=_("For example ns=2;s=Press1.Temperature"))
    carries = models.CharField(_("carries"), max_length=20, choices=NodeCarries.choices, default=NodeCarries.VALUE)
    tag = models.CharField(_("tag"), max_length=64, blank=True, help_text=_("The telemetry tag (values only)."))
    deadband = models.FloatField(
        _("deadband"),
        null=True,
        blank=True,
        help_text=_("Values only: ignore changes smaller than this (absolute)."),
    )
    counter_value = models.BigIntegerField(_("last counter value"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "endpoint__site"

    class Meta:
        ordering = ["endpoint__code", "node_id"]
        verbose_name = _("OPC UA node")
        verbose_name_plural = _("OPC UA nodes")
        constraints = [models.UniqueConstraint(fields=["endpoint", "node_id"], name="mes_opcua_node_unique")]

    def __str__(self):
        label = self.tag or self.get_carries_display()
        return f"{self.node_id} → {self.equipment.code} {label}"
