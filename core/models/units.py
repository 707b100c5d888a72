from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel


class Dimension(models.TextChoices):
    COUNT = "count", pgettext_lazy("unit dimension", "Count")
    MASS = "mass", _("Mass")
    LENGTH = "length", _("Length")
    AREA = "area", _("Area")
    VOLUME = "volume", _("Volume")
    TIME = "time", _("Time")
    ENERGY = "energy", _("Energy")


class Unit(TimeStampedModel):
    """A unit of measure. Units of one dimension convert through `ratio` (the size of this unit
    in the dimension's reference unit: kg for mass, m for length, l for volume, pcs for count,
    s for time, kWh for energy)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    dimension = models.CharField(_("dimension"), max_length=20, choices=Dimension.choices)
    ratio = models.DecimalField(
        _("size in reference unit"),
        max_digits=24,
        decimal_places=12,
        default=1,
        validators=[MinValueValidator(Decimal("0.000000000001"))],
        help_text=_("e.g. 0.001 for g (reference kg)"),
    )
    # Quantities are stored with 6 decimal places, so a unit cannot promise more.
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=3, validators=[MaxValueValidator(6)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["dimension", "code"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        constraints = [
            models.CheckConstraint(condition=models.Q(ratio__gt=0), name="unit_ratio_positive"),
            models.CheckConstraint(condition=models.Q(decimals__lte=6), name="unit_decimals_in_range"),
        ]

    def __str__(self):
        return self.code


class UnitConversion(TimeStampedModel):
    """An item-specific conversion across dimensions or packs: 1 `unit` of `item` is `factor`
    of the item's base unit (a box of 50 screws, a drum of 200 kg refrigerant)."""

    item = models.ForeignKey("core.Item", models.CASCADE, related_name="unit_conversions", verbose_name=_("item"))
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    factor = models.DecimalField(
        _("base units per unit"),
        max_digits=24,
        decimal_places=12,
        validators=[MinValueValidator(Decimal("0.000000000001"))],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["item__code", "unit__code"]
        verbose_name = _("unit conversion")
        verbose_name_plural = _("unit conversions")
        constraints = [
            models.UniqueConstraint(fields=["item", "unit"], name="unit_conversion_unique"),
            models.CheckConstraint(condition=models.Q(factor__gt=0), name="unit_conversion_positive"),
        ]

    def __str__(self):
        return f"1 {self.unit} = {self.factor.normalize()} {self.item.base_unit}"
