from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet


def render_alert_text(spec: dict, *, translate=gettext) -> str:
    """An alert's text from its stored template and values, in the reader's language.

    `lists` holds values that are themselves lists of [template, params] fragments (the ways a
    bin is over capacity), joined after translating each."""
    params = dict(spec.get("params") or {})
    for name, fragments in (spec.get("lists") or {}).items():
        params[name] = ", ".join(translate(template) % values for template, values in fragments)
    return translate(spec["template"]) % params


class AlertKind(models.TextChoices):
    BELOW_REORDER = "below_reorder", _("Below reorder point")
    BELOW_SAFETY = "below_safety", _("Below safety stock")
    EXPIRING = "expiring", _("Lot expiring soon")
    EXPIRED_AVAILABLE = "expired_available", _("Expired lot still available")
    BIN_OVER_CAPACITY = "bin_over_capacity", _("Bin over capacity")
    SLOW_MOVER = "slow_mover", _("Slow mover")


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Info")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class InventoryAlert(models.Model):
    """A condition of the stock someone should act on. One open alert per condition (`key`);
    it resolves itself when the condition is gone."""

    site = models.ForeignKey("core.Site", models.CASCADE, related_name="+", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices)
    key = models.CharField(max_length=200)
    item = models.ForeignKey(
        "core.Item", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    lot = models.ForeignKey("wms.Lot", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    bin = models.ForeignKey("wms.Bin", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("bin"))
    message = models.CharField(_("message"), max_length=300)
    details = models.JSONField(default=dict, blank=True)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["resolved_at", "-raised_at"]
        verbose_name = _("inventory alert")
        verbose_name_plural = _("inventory alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "key"],
                condition=models.Q(resolved_at__isnull=True),
                name="alert_one_open_per_key",
            ),
        ]

    def __str__(self):
        return self.message

    @property
    def text(self) -> str:
        """The message in the active language (`message` keeps the source-language text)."""
        spec = self.details.get("text") if isinstance(self.details, dict) else None
        return render_alert_text(spec) if spec else self.message
