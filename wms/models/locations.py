from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.models.organisation import code_validator
from core.scoping import SiteScopedQuerySet


class Warehouse(TimeStampedModel):
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="warehouses", verbose_name=_("site"))
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    count_variance_pct = models.DecimalField(
        _("count variance needing approval (%)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
    )
    count_variance_value = models.DecimalField(
        _("count variance needing approval (value)"),
        max_digits=18,
        decimal_places=2,
        default=Decimal("500"),
    )
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self):
        return f"{self.code} · {self.name}"


class ZoneKind(models.TextChoices):
    RECEIVING = "receiving", _("Receiving")
    RAW = "raw", _("Raw material")
    WIP = "wip", _("Line-side / WIP")
    FINISHED = "finished", _("Finished goods")
    QUARANTINE = "quarantine", _("Quarantine")
    HAZARDOUS = "hazardous", _("Hazardous")
    COLD = "cold", _("Cold")


class Zone(TimeStampedModel):
    """An area of a warehouse with storage rules: which item types, hazards and temperatures."""

    warehouse = models.ForeignKey(Warehouse, models.CASCADE, related_name="zones", verbose_name=_("warehouse"))
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ZoneKind.choices)
    allowed_item_types = models.JSONField(
        _("allowed item types"),
        default=list,
        blank=True,
        help_text=_("Empty means any type."),
    )
    allows_hazardous = models.BooleanField(_("hazardous items allowed"), default=False)
    temperature_class = models.CharField(
        _("temperature"),
        max_length=10,
        default="ambient",
        choices=[("ambient", _("Ambient")), ("cold", _("Cold (2-8 °C)"))],
    )
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "warehouse__site"

    class Meta:
        ordering = ["warehouse__code", "code"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="zone_code_unique")]

    def __str__(self):
        return f"{self.warehouse.code}/{self.code} · {self.get_kind_display()}"


class Bin(TimeStampedModel):
    """A storage location. Its code (warehouse-aisle-rack-level-position) is printed on its label
    and is unique across the company."""

    warehouse = models.ForeignKey(Warehouse, models.PROTECT, related_name="bins", verbose_name=_("warehouse"))
    zone = models.ForeignKey(Zone, models.PROTECT, related_name="bins", verbose_name=_("zone"))
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    aisle = models.CharField(_("aisle"), max_length=10, blank=True)
    rack = models.CharField(_("rack"), max_length=10, blank=True)
    level = models.CharField(_("level"), max_length=10, blank=True)
    position = models.CharField(_("position"), max_length=10, blank=True)
    max_volume_l = models.DecimalField(_("capacity (l)"), max_digits=14, decimal_places=3, null=True, blank=True)
    max_weight_kg = models.DecimalField(_("capacity (kg)"), max_digits=14, decimal_places=3, null=True, blank=True)
    max_lots = models.PositiveIntegerField(_("max lots"), null=True, blank=True)
    distance_rank = models.PositiveIntegerField(
        _("distance from dock"),
        default=100,
        help_text=_("Travel-distance rank; 1 is nearest the dock."),
    )
    pick_sequence = models.PositiveIntegerField(_("pick sequence"), default=0, help_text=_("Walking order."))
    blocked = models.BooleanField(_("blocked"), default=False)
    blocked_reason = models.CharField(_("blocked because"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "warehouse__site"

    class Meta:
        ordering = ["warehouse__code", "pick_sequence", "code"]
        verbose_name = _("bin")
        verbose_name_plural = _("bins")
        indexes = [models.Index(fields=["warehouse", "pick_sequence", "code"], name="bin_walk_order")]

    def __str__(self):
        return self.code
