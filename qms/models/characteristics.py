from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator
from qms.spc import ATTRIBUTE_CHARTS, VARIABLES_CHARTS
from qms.spc.rules import ALL_RULES


class Stage(models.TextChoices):
    INCOMING = "incoming", _("Incoming (at goods receipt)")
    IN_PROCESS = "in_process", _("In process (at routing operations)")
    FINAL = "final", _("Final (before release of finished goods)")


class CharacteristicKind(models.TextChoices):
    VARIABLE = "variable", _("Variable (measured)")
    ATTRIBUTE = "attribute", _("Attribute (pass/fail)")


class ChartKind(models.TextChoices):
    XBAR_R = "xbar_r", _("X̄-R (means and ranges)")
    XBAR_S = "xbar_s", _("X̄-S (means and standard deviations)")
    IMR = "imr", _("I-MR (individuals and moving ranges)")
    P = "p", _("p (fraction nonconforming)")
    NP = "np", _("np (number nonconforming)")
    C = "c", _("c (nonconformities)")
    U = "u", _("u (nonconformities per unit)")


def default_rules() -> list[int]:
    return list(ALL_RULES)


class Characteristic(TimeStampedModel):
    """A quality characteristic of an item checked at one stage: a measured dimension or
    parameter with its specification (variable), or a pass/fail check with its defect types
    (attribute), and how it is charted."""

    item = models.ForeignKey("core.Item", models.PROTECT, related_name="characteristics", verbose_name=_("item"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=CharacteristicKind.choices)
    nominal = models.DecimalField(_("nominal"), max_digits=18, decimal_places=6, null=True, blank=True)
    lsl = models.DecimalField(_("lower specification limit"), max_digits=18, decimal_places=6, null=True, blank=True)
    usl = models.DecimalField(_("upper specification limit"), max_digits=18, decimal_places=6, null=True, blank=True)
    unit = models.ForeignKey(
        "core.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    gauge = models.CharField(_("gauge"), max_length=100, blank=True)
    tag = models.CharField(
        _("machine-data tag"),
        max_length=100,
        blank=True,
        help_text=_("A gauge value arriving as this telemetry tag is recorded as a measurement."),
    )
    defect_types = models.JSONField(_("defect types"), default=list, blank=True)
    chart = models.CharField(_("control chart"), max_length=10, choices=ChartKind.choices)
    subgroup_size = models.PositiveSmallIntegerField(_("subgroup size"), default=5, validators=[MinValueValidator(1)])
    nelson_rules = models.JSONField(_("Nelson rules"), default=default_rules, blank=True)
    active = models.BooleanField(_("active"), default=True)
    # A violation of one of its Nelson rules holds the lots and work orders measured
    # (qms.events, on the `qms.spc.violation` event).
    hold_on_violation = models.BooleanField(_("hold on SPC violation"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("characteristic")
        verbose_name_plural = _("characteristics")
        ordering = ["item__code", "stage", "code"]
        constraints = [
            models.UniqueConstraint(fields=["item", "stage", "code"], name="characteristic_unique_code"),
        ]

    def __str__(self):
        return f"{self.item.code} {self.code}"

    def clean(self):
        errors = {}
        if self.kind == CharacteristicKind.VARIABLE:
            if self.chart and self.chart not in VARIABLES_CHARTS:
                errors["chart"] = _("A measured characteristic takes an X̄-R, X̄-S or I-MR chart.")
            if self.lsl is None and self.usl is None:
                errors["usl"] = _("Give at least one specification limit.")
            if self.lsl is not None and self.usl is not None and self.lsl >= self.usl:
                errors["lsl"] = _("The lower specification limit must be below the upper one.")
            if self.nominal is not None and (
                (self.lsl is not None and self.nominal < self.lsl) or (self.usl is not None and self.nominal > self.usl)
            ):
                errors["nominal"] = _("The nominal must lie within the specification limits.")
            if self.unit_id is None:
                errors["unit"] = _("Say in which unit it is measured.")
            if self.defect_types:
                errors["defect_types"] = _("Defect types belong to pass/fail characteristics.")
            if self.chart in ("xbar_r", "xbar_s") and self.subgroup_size < 2:
                errors["subgroup_size"] = _("X̄ charts need subgroups of at least two; use I-MR for single values.")
            if self.chart == "imr" and self.subgroup_size != 1:
                errors["subgroup_size"] = _("An I-MR chart takes one value per subgroup.")
        elif self.kind == CharacteristicKind.ATTRIBUTE:
            if self.chart and self.chart not in ATTRIBUTE_CHARTS:
                errors["chart"] = _("A pass/fail characteristic takes a p, np, c or u chart.")
            if self.lsl is not None or self.usl is not None or self.nominal is not None:
                errors["usl"] = _("Specification limits belong to measured characteristics.")
            if self.tag:
                errors["tag"] = _("A machine-data tag carries measured values: it belongs to measured characteristics.")
            if not isinstance(self.defect_types, list) or not all(
                isinstance(name, str) and name.strip() for name in self.defect_types
            ):
                errors["defect_types"] = _("Defect types are a list of names.")
            elif len({name.strip().lower() for name in self.defect_types}) != len(self.defect_types):
                errors["defect_types"] = _("Each defect type is listed once.")
        rules = self.nelson_rules
        if (
            not isinstance(rules, list)
            or not rules
            or not all(isinstance(rule, int) and not isinstance(rule, bool) and rule in ALL_RULES for rule in rules)
            or len(set(rules)) != len(rules)
        ):
            errors["nelson_rules"] = _("Choose one or more of the Nelson rules 1 to 8, each once.")
        if errors:
            raise ValidationError(errors)
