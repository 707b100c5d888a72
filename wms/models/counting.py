from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet
from wms.models.stock import QUANTITY


class CountSchedule(models.Model):
    """How often items of an ABC class are counted at a site."""

    site = models.ForeignKey("core.Site", models.CASCADE, related_name="+", verbose_name=_("site"))
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=[("A", "A"), ("B", "B"), ("C", "C")])
    interval_days = models.PositiveIntegerField(_("every (days)"))

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    DEFAULT_INTERVALS = {"A": 30, "B": 90, "C": 365}

    class Meta:
        ordering = ["site__code", "abc_class"]
        verbose_name = _("count schedule")
        verbose_name_plural = _("count schedules")
        constraints = [models.UniqueConstraint(fields=["site", "abc_class"], name="count_schedule_unique")]

    def __str__(self):
        return f"{self.site.code} {self.abc_class}: {self.interval_days} d"


class CountStatus(models.TextChoices):
    OPEN = "open", _("To count")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class CountTask(TimeStampedModel):
    """Count one item (and lot) in one bin. The counter does not see the system quantity."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    bin = models.ForeignKey("wms.Bin", models.PROTECT, related_name="+", verbose_name=_("bin"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    lot = models.ForeignKey("wms.Lot", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=CountStatus.choices, default=CountStatus.OPEN)
    system_quantity = models.DecimalField(_("system quantity"), null=True, blank=True, **QUANTITY)
    counted_quantity = models.DecimalField(_("counted"), null=True, blank=True, **QUANTITY)
    variance = models.DecimalField(_("variance"), null=True, blank=True, **QUANTITY)
    variance_value = models.DecimalField(_("variance value"), max_digits=18, decimal_places=2, null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    counted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    counted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    adjustment = models.ForeignKey("wms.StockMove", models.PROTECT, null=True, blank=True, related_name="+")
    recount_of = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="recounts",
        verbose_name=_("recount of"),
        help_text=_("The rejected count this task repeats."),
    )
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["due_date", "bin__pick_sequence", "bin__code"]
        verbose_name = _("count task")
        verbose_name_plural = _("count tasks")
        indexes = [models.Index(fields=["site", "status", "due_date"], name="count_due")]

    def __str__(self):
        return f"{self.bin.code} {self.item.code}"
