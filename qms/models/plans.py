from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator
from qms import sampling
from qms.models.characteristics import Stage


class SamplingMethod(models.TextChoices):
    FIXED = "fixed", _("Fixed sample size")
    # xgettext:no-python-format
    FULL = "full", _("100 % inspection")
    Z14 = "z14", _("ANSI/ASQ Z1.4 single sampling")


class InspectionLevel(models.TextChoices):
    S1 = "S-1", _("Special S-1")
    S2 = "S-2", _("Special S-2")
    S3 = "S-3", _("Special S-3")
    S4 = "S-4", _("Special S-4")
    I = "I", _("General I")  # noqa: E741 - the standard's name
    II = "II", _("General II")
    III = "III", _("General III")


AQL_CHOICES = [(aql, aql) for aql in sampling.AQLS]


class InspectionPlan(TimeStampedModel):
    """What to inspect on an item at one stage, how many units, and (in process) how often."""

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="inspection_plans", verbose_name=_("item"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    characteristics = models.ManyToManyField(
        "qms.Characteristic", related_name="plans", blank=True, verbose_name=_("characteristics")
    )
    sampling = models.CharField(_("sampling"), max_length=10, choices=SamplingMethod.choices)
    sample_size = models.PositiveIntegerField(
        _("sample size"), null=True, blank=True, validators=[MinValueValidator(1)], help_text=_("For a fixed sample.")
    )
    aql = models.CharField(_("AQL"), max_length=6, choices=AQL_CHOICES, blank=True)
    inspection_level = models.CharField(
        _("inspection level"), max_length=3, choices=InspectionLevel.choices, blank=True
    )
    every_units = models.PositiveIntegerField(
        _("every N units"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    every_minutes = models.PositiveIntegerField(
        _("every T minutes"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["code"]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        if self.sampling == SamplingMethod.FIXED and not self.sample_size:
            errors["sample_size"] = _("A fixed sample needs its size.")
        if self.sampling != SamplingMethod.FIXED and self.sample_size:
            errors["sample_size"] = _("Only a fixed sample has a sample size of its own.")
        if self.sampling == SamplingMethod.Z14:
            if not self.aql:
                errors["aql"] = _("Z1.4 sampling needs an AQL.")
            if not self.inspection_level:
                errors["inspection_level"] = _("Z1.4 sampling needs an inspection level.")
        elif self.aql or self.inspection_level:
            errors["aql"] = _("AQL and inspection level belong to Z1.4 sampling.")
        if self.stage != Stage.IN_PROCESS and (self.every_units or self.every_minutes):
            errors["every_units"] = _("A frequency applies to in-process inspection only.")
        if self.stage == Stage.IN_PROCESS and not (self.every_units or self.every_minutes):
            errors["every_units"] = _("Say how often to inspect in process: every N units or every T minutes.")
        if errors:
            raise ValidationError(errors)
