from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import SiteScopedQuerySet
from wms.models.stock import QUANTITY


class AdjustmentReason(models.TextChoices):
    """Why stock is corrected at the desk (printed on the move and in the approvals inbox)."""

    DAMAGED = "damaged", _("Damaged")
    FOUND = "found", _("Found")
    LOST = "lost", _("Lost or missing")
    COUNT = "count", _("Count correction")
    DATA_ENTRY = "data_entry", _("Data entry error")
    EXPIRED = "expired", _("Expired or spoiled")
    SAMPLE = "sample", _("Quality sample")
    OTHER = "other", _("Other")


class AdjustmentStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class StockAdjustment(models.Model):
    """A stock correction asked for at the desk. Within the warehouse's count-variance thresholds
    it is posted at once; above them it waits for a supervisor's signed approval (four eyes)."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    lot = models.ForeignKey("wms.Lot", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    lot_code = models.CharField(_("lot / serial"), max_length=60, blank=True)
    bin = models.ForeignKey("wms.Bin", models.PROTECT, related_name="+", verbose_name=_("bin"))
    quantity = models.DecimalField(_("change"), help_text=_("Positive raises stock, negative lowers it."), **QUANTITY)
    system_quantity = models.DecimalField(_("on hand when asked"), **QUANTITY)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    reason_code = models.CharField(_("reason"), max_length=20, choices=AdjustmentReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=AdjustmentStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("asked by")
    )
    requested_at = models.DateTimeField(_("asked"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    move = models.OneToOneField(
        "wms.StockMove", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("move")
    )
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        constraints = [
            models.CheckConstraint(condition=~models.Q(quantity=0), name="adjustment_quantity_not_zero"),
        ]

    def __str__(self):
        return f"ADJ-{self.pk}"
