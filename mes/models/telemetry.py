"""The telemetry store: raw samples (one row per value, partitioned by day on PostgreSQL), one-
minute aggregates kept longer, the last known value per equipment and tag for live pages, the
message keys that make every MQTT message apply at most once, dead letters and the shared
ingestion counters that /metrics reports.

`TelemetrySample` is unmanaged: on PostgreSQL its table is declared `PARTITION BY RANGE (ts)`
with daily partitions (`mes.services.telemetry_partitions`), which Django cannot express; on
SQLite it is a plain table. Both are created by this app's migration.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet

SAMPLE_TABLE = "mes_telemetry_sample"


class TelemetrySample(models.Model):
    """One value of one tag of one equipment at one instant. No primary key in the database:
    rows are only appended by COPY and dropped with their day's partition; `id` below exists
    for the ORM alone and is never selected."""

    id = models.BigAutoField(primary_key=True)
    equipment = models.ForeignKey("mes.Equipment", models.DO_NOTHING, db_constraint=False, related_name="+")
    ts = models.DateTimeField(_("time"))
    tag = models.CharField(_("tag"), max_length=64)
    value = models.FloatField(_("value"))

    class Meta:
        managed = False
        db_table = SAMPLE_TABLE
        verbose_name = _("telemetry sample")
        verbose_name_plural = _("telemetry samples")

    def __str__(self):
        return f"{self.equipment_id} {self.tag} {self.ts:%Y-%m-%d %H:%M:%S} {self.value}"


class TelemetryMinute(models.Model):
    """Minimum, maximum, sum and count of one tag over one minute; the average is sum / count."""

    # No index of its own: the unique key below starts with it.
    equipment = models.ForeignKey(
        "mes.Equipment", models.CASCADE, db_index=False, related_name="+", verbose_name=_("equipment")
    )
    tag = models.CharField(_("tag"), max_length=64)
    minute = models.DateTimeField(_("minute"))
    count = models.PositiveIntegerField(_("count"))
    total = models.FloatField(_("sum"))
    minimum = models.FloatField(_("minimum"))
    maximum = models.FloatField(_("maximum"))

    class Meta:
        db_table = "mes_telemetry_minute"
        verbose_name = _("telemetry minute")
        verbose_name_plural = _("telemetry minutes")
        constraints = [models.UniqueConstraint(fields=["equipment", "tag", "minute"], name="telemetry_minute_key")]
        indexes = [models.Index(fields=["minute"], name="telemetry_minute_time")]

    def __str__(self):
        return f"{self.equipment_id} {self.tag} {self.minute:%Y-%m-%d %H:%M}"

    @property
    def average(self) -> float:
        return self.total / self.count if self.count else 0.0


class TelemetryLatest(models.Model):
    """The last known value of each tag of each equipment (for live pages and the no-data rule)."""

    # No index of its own: the unique key below starts with it.
    equipment = models.ForeignKey(
        "mes.Equipment", models.CASCADE, db_index=False, related_name="+", verbose_name=_("equipment")
    )
    tag = models.CharField(_("tag"), max_length=64)
    ts = models.DateTimeField(_("time"))
    value = models.FloatField(_("value"))

    objects = SiteScopedQuerySet.as_manager()
    site_field = "equipment__site"

    class Meta:
        db_table = "mes_telemetry_latest"
        ordering = ["equipment", "tag"]
        verbose_name = _("last telemetry value")
        verbose_name_plural = _("last telemetry values")
        constraints = [models.UniqueConstraint(fields=["equipment", "tag"], name="telemetry_latest_key")]

    def __str__(self):
        return f"{self.equipment_id} {self.tag} {self.value}"


class IngestedMessage(models.Model):
    """The key of every machine message applied: a redelivery of the same (equipment, msg_id)
    conflicts on the unique key and is skipped. Kept as long as raw telemetry. No index on `ts`:
    it would slow every batch, and the hourly upkeep deletes the expired keys with one scan."""

    pk = models.CompositePrimaryKey("equipment", "msg_id")
    equipment = models.ForeignKey(
        "mes.Equipment",
        models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name=_("equipment"),
    )
    msg_id = models.CharField(_("message id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10)
    ts = models.DateTimeField(_("time"))
    received_at = models.DateTimeField(_("received"))

    class Meta:
        db_table = "mes_ingested_message"
        verbose_name = _("ingested message")
        verbose_name_plural = _("ingested messages")

    def __str__(self):
        return f"{self.equipment_id} {self.msg_id}"


class DeadLetterReason(models.TextChoices):
    INVALID_TOPIC = "invalid_topic", _("Topic not mes/<site>/<equipment>/<kind>")
    PAYLOAD_TOO_LARGE = "payload_too_large", _("Payload over 64 KiB")
    NOT_UTF8 = "not_utf8", _("Not UTF-8")
    MALFORMED_JSON = "malformed_json", _("Malformed JSON")
    NOT_AN_OBJECT = "not_an_object", _("Not a JSON object")
    MISSING_FIELD = "missing_field", _("Missing field")
    INVALID_FIELD = "invalid_field", _("Field of the wrong type")
    NON_NUMERIC_VALUE = "non_numeric_value", _("Non-numeric value")
    UNKNOWN_SITE = "unknown_site", _("Unknown site")
    UNKNOWN_EQUIPMENT = "unknown_equipment", _("Unknown equipment")
    TS_IN_FUTURE = "ts_in_future", _("Timestamp more than a day ahead")
    TS_BEYOND_RETENTION = "ts_beyond_retention", _("Timestamp older than the retention")
    UNKNOWN_STATE = "unknown_state", _("Unknown state")
    UNKNOWN_REASON = "unknown_reason", _("Unknown downtime reason")
    NEGATIVE_COUNT = "negative_count", _("Negative count")
    NO_RUNNING_OPERATION = "no_running_operation", _("No operation running on the equipment")
    REJECTED = "rejected", _("Rejected by the production report")
    BAD_STATUS = "bad_status", _("OPC UA value with a bad status code")


class DeadLetter(models.Model):
    """A machine message that could not be applied, whole, with why."""

    topic = models.CharField(_("topic"), max_length=500)
    payload = models.BinaryField(_("payload"))
    reason = models.CharField(_("reason"), max_length=30, choices=DeadLetterReason.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), db_index=True)

    class Meta:
        db_table = "mes_dead_letter"
        ordering = ["-received_at", "-id"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")

    def __str__(self):
        return f"{self.topic} {self.reason}"

    @property
    def payload_text(self) -> str:
        """The payload as text for people, undecodable bytes shown as escapes."""
        return bytes(self.payload).decode("utf-8", errors="backslashreplace")


class IngestCounter(models.Model):
    """A counter shared by every ingest process (`messages:<kind>:<result>`, `values`,
    `dead_letters:<reason>`), added to once per batch; /metrics reads it."""

    key = models.CharField(_("key"), max_length=80, primary_key=True)
    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        db_table = "mes_ingest_counter"
        verbose_name = _("ingestion counter")
        verbose_name_plural = _("ingestion counters")

    def __str__(self):
        return f"{self.key} {self.value}"
