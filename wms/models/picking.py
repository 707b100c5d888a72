from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet
from wms.models.stock import QUANTITY


class PickPurpose(models.TextChoices):
    STAGING = "staging", _("Production staging")
    SHIPMENT = "shipment", _("Shipment")


class PickListStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Lists whose open lines hold stock for themselves (allocations): on-hand minus what these hold
# is what any other outbound move may take.
HOLDING_LIST_STATUSES = (PickListStatus.OPEN, PickListStatus.IN_PROGRESS)


class PickList(TimeStampedModel):
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    number = models.CharField(_("number"), max_length=40, unique=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=PickPurpose.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("work order or sales order"))
    destination_bin = models.ForeignKey(
        "wms.Bin",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stage to bin"),
    )
    status = models.CharField(_("status"), max_length=20, choices=PickListStatus.choices, default=PickListStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")

    def __str__(self):
        return self.number


class PickLineStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PICKED = "picked", _("Picked")
    SHORT = "short", _("Short")


class PickLine(models.Model):
    """One pick: `quantity` of `item` from `lot` in `bin`. A line with no bin records what could
    not be allocated at all."""

    pick_list = models.ForeignKey(PickList, models.CASCADE, related_name="lines")
    sequence = models.PositiveIntegerField(_("sequence"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    lot = models.ForeignKey("wms.Lot", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    bin = models.ForeignKey("wms.Bin", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bin"))
    quantity = models.DecimalField(_("to pick"), **QUANTITY)
    picked_quantity = models.DecimalField(_("picked"), default=0, **QUANTITY)
    short_quantity = models.DecimalField(_("short"), default=0, **QUANTITY)
    status = models.CharField(_("status"), max_length=20, choices=PickLineStatus.choices, default=PickLineStatus.OPEN)
    picked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    picked_at = models.DateTimeField(null=True, blank=True)
    move = models.ForeignKey("wms.StockMove", models.PROTECT, null=True, blank=True, related_name="+")

    objects = SiteScopedQuerySet.as_manager()
    site_field = "pick_list__site"

    class Meta:
        ordering = ["pick_list", "sequence"]
        verbose_name = _("pick line")
        verbose_name_plural = _("pick lines")
        constraints = [
            models.UniqueConstraint(fields=["pick_list", "sequence"], name="pick_line_sequence_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="pick_line_quantity_positive"),
        ]
        # open lines of an item are what allocation subtracts from on-hand stock
        indexes = [
            models.Index(fields=["item", "status"], name="pick_line_item_status"),
            # what open lines hold in one bin: the ledger reads it on every outbound move
            models.Index(fields=["bin", "item", "lot"], condition=models.Q(status="open"), name="pick_line_open_hold"),
        ]

    def __str__(self):
        return f"{self.pick_list.number}/{self.sequence}"
