from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet
from wms.models.stock import QUANTITY


class ReceiptStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIAL = "partial", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class ExpectedReceipt(TimeStampedModel):
    """An announced delivery (a purchase order line today from the API, from ERP later)."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    number = models.CharField(_("number"), max_length=40, unique=True)
    supplier = models.ForeignKey(
        "core.Partner",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supplier"),
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("e.g. purchase order"))
    expected_date = models.DateField(_("expected on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ReceiptStatus.choices, default=ReceiptStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-expected_date", "number"]
        verbose_name = _("expected receipt")
        verbose_name_plural = _("expected receipts")

    def __str__(self):
        return self.number


class ExpectedReceiptLine(models.Model):
    receipt = models.ForeignKey(ExpectedReceipt, models.CASCADE, related_name="lines")
    line_no = models.PositiveIntegerField(_("line"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("expected (base unit)"), **QUANTITY)
    received_quantity = models.DecimalField(_("received (base unit)"), default=0, **QUANTITY)
    over_tolerance_pct = models.DecimalField(
        _("over-receipt tolerance (%)"), max_digits=6, decimal_places=2, default=Decimal("10")
    )
    under_tolerance_pct = models.DecimalField(
        _("under-receipt tolerance (%)"), max_digits=6, decimal_places=2, default=Decimal("5")
    )
    closed = models.BooleanField(_("closed"), default=False)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "receipt__site"

    class Meta:
        ordering = ["receipt", "line_no"]
        verbose_name = _("expected receipt line")
        verbose_name_plural = _("expected receipt lines")
        constraints = [
            models.UniqueConstraint(fields=["receipt", "line_no"], name="receipt_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="receipt_line_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.receipt.number}/{self.line_no} {self.item.code}"

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal(0))

    @property
    def max_receivable(self) -> Decimal:
        """What may still be received, over-receipt tolerance included."""
        limit = self.quantity * (1 + self.over_tolerance_pct / 100)
        return max(limit - self.received_quantity, Decimal(0))


class DocumentSequence(models.Model):
    """The last number handed out for one kind of warehouse document at one site (GR-SZ-000123).

    Numbers are taken under a row lock, so two clerks creating receipts at the same moment never
    get the same number.
    """

    site = models.ForeignKey("core.Site", models.CASCADE, related_name="+", verbose_name=_("site"))
    prefix = models.CharField(_("prefix"), max_length=10)
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["site__code", "prefix"]
        verbose_name = _("document sequence")
        verbose_name_plural = _("document sequences")
        constraints = [models.UniqueConstraint(fields=["site", "prefix"], name="document_sequence_unique")]

    def __str__(self):
        return f"{self.prefix}-{self.site.code}: {self.last_value}"
