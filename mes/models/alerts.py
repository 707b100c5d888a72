"""Alert rules on machine data and equipment states, the alerts they raise, and each rule's
evaluation state per equipment (hold timers, rate windows, last data seen)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet, user_site_ids
from mes.models.plant import EquipmentState


class AlertCondition(models.TextChoices):
    ABOVE = "above", _("Above threshold")
    BELOW = "below", _("Below threshold")
    RATE_ABOVE = "rate_above", _("Rising faster than (per minute)")
    OUTSIDE_LIMITS = "outside_limits", _("Outside the running operation's limits")
    STATE_FOR = "state_for", _("State held too long")
    NO_DATA = "no_data", _("No data")
    SPC_VIOLATION = "spc_violation", _("SPC rule broken (raised by quality)")


# Conditions evaluated on each telemetry batch; the others are checked by the periodic sweep.
TELEMETRY_CONDITIONS = (
    AlertCondition.ABOVE,
    AlertCondition.BELOW,
    AlertCondition.RATE_ABOVE,
    AlertCondition.OUTSIDE_LIMITS,
)
THRESHOLD_CONDITIONS = (AlertCondition.ABOVE, AlertCondition.BELOW, AlertCondition.RATE_ABOVE)


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {AlertSeverity.CRITICAL: 0, AlertSeverity.WARNING: 1, AlertSeverity.INFO: 2}


class AlertStatus(models.TextChoices):
    RAISED = "raised", _("Raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


OPEN_ALERT_STATUSES = (AlertStatus.RAISED, AlertStatus.ACKNOWLEDGED)


class AlertRuleQuerySet(SiteScopedQuerySet):
    def for_user(self, user):
        """A rule without a site holds at every site: everyone sees it."""
        site_ids = user_site_ids(user)
        if site_ids is None:
            return self
        return self.filter(models.Q(site__in=site_ids) | models.Q(site__isnull=True))


class AlertRule(TimeStampedModel):
    """What to watch on one piece of equipment or on every machine of a class, when it is an
    anomaly, how serious it is and what to do about it.

    - above / below: `tag` beyond `threshold` for at least `hold_seconds`;
    - rate_above: `tag` rising faster than `threshold` per minute, measured over `window_seconds`
      (and held for `hold_seconds`);
    - outside_limits: `tag` outside the critical parameter limits of the operation running on the
      equipment (held for `hold_seconds`);
    - state_for: the equipment in `state` for longer than `minutes`;
    - no_data: nothing received for `tag` (any tag when blank) for `hold_seconds`.
    """

    site = models.ForeignKey(
        "core.Site",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("site"),
        help_text=_("Blank: every site (a rule of an equipment class)."),
    )
    name = models.CharField(_("name"), max_length=200)
    equipment = models.ForeignKey(
        "mes.Equipment", models.CASCADE, null=True, blank=True, related_name="alert_rules", verbose_name=_("equipment")
    )
    equipment_class = models.ForeignKey(
        "mes.EquipmentClass",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="alert_rules",
        verbose_name=_("equipment class"),
    )
    tag = models.CharField(_("tag"), max_length=50, blank=True)
    condition = models.CharField(_("condition"), max_length=20, choices=AlertCondition.choices)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(_("hold (s)"), default=0)
    window_seconds = models.PositiveIntegerField(_("rate window (s)"), default=60)
    state = models.CharField(_("state"), max_length=20, choices=EquipmentState.choices, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices)
    recommended_actions = models.JSONField(_("recommended actions"), default=list)
    message = models.CharField(_("message"), max_length=300, blank=True)
    escalate_minutes = models.PositiveIntegerField(
        _("escalate after (min)"),
        null=True,
        blank=True,
        help_text=_("Not acknowledged within this many minutes: supervisors are told. Blank: the default."),
    )
    # action taken -> how many resolved alerts of this rule it closed (the ranking of actions).
    resolution_counts = models.JSONField(_("resolutions"), default=dict, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["resolution_counts"])

    objects = AlertRuleQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(equipment__isnull=False, equipment_class__isnull=True)
                | models.Q(equipment__isnull=True, equipment_class__isnull=False),
                name="alert_rule_one_target",
            ),
        ]

    def __str__(self):
        return self.name

    def ranked_actions(self) -> list[str]:
        """The recommended actions, the ones that resolved most past alerts first; actions people
        typed that resolved alerts of this rule join the list. Ties keep the configured order."""
        counts = self.resolution_counts or {}
        actions = list(self.recommended_actions or [])
        known = {a.casefold() for a in actions}
        actions += sorted((a for a in counts if a.casefold() not in known), key=lambda a: (-counts[a], a))
        order = {a: i for i, a in enumerate(actions)}
        return sorted(actions, key=lambda a: (-counts.get(a, 0), order[a]))


class Alert(TimeStampedModel):
    """An anomaly raised by a rule on one piece of equipment. One is open (raised or acknowledged)
    per rule and equipment at a time; a repeat while it is open updates it."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="mes_alerts", verbose_name=_("site"))
    rule = models.ForeignKey(AlertRule, models.PROTECT, related_name="alerts", verbose_name=_("rule"))
    equipment = models.ForeignKey("mes.Equipment", models.CASCADE, related_name="alerts", verbose_name=_("equipment"))
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices)
    status = models.CharField(_("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.RAISED)
    raised_at = models.DateTimeField(_("raised"))
    value = models.FloatField(_("value"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"))
    repeat_count = models.PositiveIntegerField(_("repeats"), default=0)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("resolved by")
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    cause = models.CharField(_("cause"), max_length=300, blank=True)
    action_taken = models.CharField(_("action taken"), max_length=300, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_value", "last_seen_at", "repeat_count"])

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        permissions = [("resolve_alert", _("Can resolve alerts"))]
        indexes = [
            models.Index(fields=["site", "status", "raised_at"], name="alert_site_status"),
            models.Index(fields=["equipment", "status"], name="alert_equipment_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "equipment"], condition=~models.Q(status="resolved"), name="alert_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.equipment.code}: {self.message}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ALERT_STATUSES


class AlertRuleState(models.Model):
    """Where a rule's evaluation stands on one piece of equipment, written once per telemetry
    batch: since when the condition holds (hold timer), whether it fired in this episode, the
    samples of the rate window, the last value and when data last came."""

    rule = models.ForeignKey(AlertRule, models.CASCADE, related_name="states", verbose_name=_("rule"))
    equipment = models.ForeignKey("mes.Equipment", models.CASCADE, related_name="+", verbose_name=_("equipment"))
    pending_since = models.DateTimeField(_("condition holds since"), null=True, blank=True)
    fired = models.BooleanField(_("fired in this episode"), default=False)
    window = models.JSONField(_("rate window"), default=list, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last data"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert rule state")
        verbose_name_plural = _("alert rule states")
        constraints = [models.UniqueConstraint(fields=["rule", "equipment"], name="alert_rule_state_unique")]

    def __str__(self):
        return f"{self.rule_id}/{self.equipment_id}"
