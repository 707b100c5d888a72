import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.scoping import SiteScopedQuerySet

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Use letters, digits, '.', '_' and '-' only."))


class Currency(TimeStampedModel):
    code = models.CharField(_("code"), max_length=3, unique=True, help_text=_("ISO 4217, e.g. USD"))
    name = models.CharField(_("name"), max_length=100)
    decimals = models.PositiveSmallIntegerField(_("decimal places"), default=2, validators=[MaxValueValidator(4)])
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [models.CheckConstraint(condition=models.Q(decimals__lte=4), name="currency_decimals_in_range")]

    def __str__(self):
        return self.code

    def clean(self):
        self.code = (self.code or "").upper()


class ExchangeRate(TimeStampedModel):
    """How many units of `to_currency` one unit of `from_currency` buys, from `valid_from` on."""

    from_currency = models.ForeignKey(Currency, models.PROTECT, related_name="+", verbose_name=_("from"))
    to_currency = models.ForeignKey(Currency, models.PROTECT, related_name="+", verbose_name=_("to"))
    rate = models.DecimalField(
        _("rate"), max_digits=20, decimal_places=10, validators=[MinValueValidator(Decimal("0.0000000001"))]
    )
    valid_from = models.DateField(_("valid from"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_currency__code", "to_currency__code", "-valid_from"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(
                fields=["from_currency", "to_currency", "valid_from"], name="exchange_rate_unique_day"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self):
        return f"{self.from_currency}/{self.to_currency} {self.rate} ({self.valid_from})"

    def clean(self):
        if self.from_currency_id and self.from_currency_id == self.to_currency_id:
            raise ValidationError({"to_currency": _("Choose two different currencies.")})


class Company(TimeStampedModel):
    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    base_currency = models.ForeignKey(Currency, models.PROTECT, verbose_name=_("base currency"))
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "sites"

    class Meta:
        ordering = ["code"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Site(TimeStampedModel):
    """A plant or warehouse location. Records of the shop floor and the stock belong to one."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    company = models.ForeignKey(Company, models.PROTECT, related_name="sites", verbose_name=_("company"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = ""  # the site itself

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self):
        return f"{self.code} · {self.name}"

    @property
    def tzinfo(self):
        return zoneinfo.ZoneInfo(self.time_zone)
