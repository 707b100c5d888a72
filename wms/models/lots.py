from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.models.organisation import code_validator
from core.scoping import SiteScopedQuerySet


class LotStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    QUARANTINE = "quarantine", _("Quarantine")
    ON_HOLD = "on_hold", _("On hold")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    CONSUMED = "consumed", _("Consumed")


# Statuses whose stock may be issued, picked or shipped.
USABLE_LOT_STATUSES = (LotStatus.AVAILABLE,)


class Lot(TimeStampedModel):
    """A lot or, for serial-tracked items, one serial number (`is_serial`, on hand at most once).

    A lot belongs to one site: its code is unique per item and site, every lookup by code is
    made at the acting site, and another site's lot with the same code is a different lot that
    this site never learns of."""

    item = models.ForeignKey("core.Item", models.PROTECT, related_name="lots", verbose_name=_("item"))
    code = models.CharField(_("lot / serial"), max_length=60, validators=[code_validator])
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    is_serial = models.BooleanField(_("serial number"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=LotStatus.choices, default=LotStatus.AVAILABLE)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    supplier = models.ForeignKey(
        "core.Partner",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    supplier_lot = models.CharField(_("supplier lot"), max_length=60, blank=True)
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    expiry = models.DateField(_("expiry"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["item__code", "code"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.UniqueConstraint(fields=["item", "site", "code"], name="lot_code_unique_per_item_and_site")
        ]
        indexes = [models.Index(fields=["status", "expiry"], name="lot_status_expiry")]

    def __str__(self):
        return f"{self.item.code} / {self.code}"
