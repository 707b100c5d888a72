from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator

# A century: longer than any real shelf life, and short enough that expiry dates stay valid dates.
MAX_SHELF_LIFE_DAYS = 36_500


class ItemType(models.TextChoices):
    RAW = "raw", _("Raw material")
    SEMI_FINISHED = "semi_finished", _("Semi-finished")
    FINISHED = "finished", _("Finished good")
    CONSUMABLE = "consumable", _("Consumable")
    SPARE_PART = "spare_part", _("Spare part")


class Tracking(models.TextChoices):
    NONE = "none", _("Not tracked")
    LOT = "lot", _("By lot")
    SERIAL = "serial", _("By serial number")


class AbcClass(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


class HazardClass(models.TextChoices):
    NONE = "", _("None")
    FLAMMABLE = "flammable", _("Flammable")
    PRESSURISED = "pressurised", _("Pressurised gas")
    CORROSIVE = "corrosive", _("Corrosive")


class TemperatureClass(models.TextChoices):
    AMBIENT = "ambient", _("Ambient")
    COLD = "cold", _("Cold (2-8 °C)")


class Item(TimeStampedModel):
    """The material master: anything the plant buys, makes, stocks or ships."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    base_unit = models.ForeignKey("core.Unit", models.PROTECT, related_name="+", verbose_name=_("base unit"))
    tracking = models.CharField(_("tracking"), max_length=10, choices=Tracking.choices, default=Tracking.NONE)
    shelf_life_days = models.PositiveIntegerField(
        _("shelf life (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SHELF_LIFE_DAYS)],
        help_text=_("Empty when the item does not expire."),
    )
    inspection_required = models.BooleanField(_("incoming inspection required"), default=False)
    abc_class = models.CharField(_("ABC class"), max_length=1, choices=AbcClass.choices, default=AbcClass.C)
    standard_cost = models.DecimalField(
        _("standard cost"),
        max_digits=18,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Per base unit, in the company's base currency."),
    )
    hazard_class = models.CharField(
        _("hazard class"), max_length=20, choices=HazardClass.choices, blank=True, default=""
    )
    temperature_class = models.CharField(
        _("storage temperature"), max_length=10, choices=TemperatureClass.choices, default=TemperatureClass.AMBIENT
    )
    unit_weight_kg = models.DecimalField(
        _("weight per base unit (kg)"),
        max_digits=14,
        decimal_places=6,
        default=0,
        validators=[MinValueValidator(Decimal("0"))],
    )
    unit_volume_l = models.DecimalField(
        _("volume per base unit (l)"),
        max_digits=14,
        decimal_places=6,
        default=0,
        validators=[MinValueValidator(Decimal("0"))],
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    # What people maintain on an item: the form, the API and the detail page all show these.
    EDITABLE_FIELDS = (
        "code",
        "name",
        "description",
        "type",
        "base_unit",
        "tracking",
        "shelf_life_days",
        "inspection_required",
        "abc_class",
        "standard_cost",
        "hazard_class",
        "temperature_class",
        "unit_weight_kg",
        "unit_volume_l",
        "active",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.CheckConstraint(condition=models.Q(standard_cost__gte=0), name="item_standard_cost_non_negative"),
            models.CheckConstraint(condition=models.Q(unit_weight_kg__gte=0), name="item_weight_non_negative"),
            models.CheckConstraint(condition=models.Q(unit_volume_l__gte=0), name="item_volume_non_negative"),
            models.CheckConstraint(
                condition=models.Q(shelf_life_days__isnull=True)
                | models.Q(shelf_life_days__gte=1, shelf_life_days__lte=MAX_SHELF_LIFE_DAYS),
                name="item_shelf_life_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"

    @property
    def is_lot_tracked(self) -> bool:
        return self.tracking in (Tracking.LOT, Tracking.SERIAL)
