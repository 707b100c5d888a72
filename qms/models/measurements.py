from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasurementSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    MACHINE = "machine", _("Machine-data tag")
    IMPORT = "import", _("Imported")


class Measurement(models.Model):
    """One recorded observation of a characteristic at a site, the data SPC charts and capability
    read: a measured value (variable characteristic), or a count of nonconforming units or defects
    in a sample of a size (attribute characteristic). Observations that share `subgroup` form one
    rational subgroup; subgroups are charted in the order of their first `measured_at`."""

    characteristic = models.ForeignKey(
        "qms.Characteristic", models.PROTECT, related_name="measurements", verbose_name=_("characteristic")
    )
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    subgroup = models.CharField(_("subgroup"), max_length=60)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6, null=True, blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    size = models.PositiveIntegerField(_("sample size"), null=True, blank=True, validators=[MinValueValidator(1)])
    defect_type = models.CharField(_("defect type"), max_length=100, blank=True)
    out_of_spec = models.BooleanField(_("out of specification"), default=False)
    measured_at = models.DateTimeField(_("measured at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by")
    )
    source = models.CharField(_("source"), max_length=8, choices=MeasurementSource.choices, default="manual")
    lot = models.ForeignKey("wms.Lot", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    equipment = models.ForeignKey(
        "mes.Equipment", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("equipment")
    )
    work_order = models.ForeignKey(
        "mes.WorkOrder", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("work order")
    )
    inspection_task = models.ForeignKey(
        "qms.InspectionTask",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("inspection task"),
    )

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["characteristic", "measured_at", "id"]
        indexes = [
            models.Index(fields=["characteristic", "site", "measured_at"], name="measurement_chart_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(value__isnull=False, count__isnull=True, size__isnull=True)
                    | models.Q(value__isnull=True, count__isnull=False, size__isnull=False)
                ),
                name="measurement_value_or_count",
            ),
            models.CheckConstraint(
                condition=models.Q(count__isnull=True) | models.Q(size__gte=1), name="measurement_size_positive"
            ),
        ]

    def __str__(self):
        shown = self.value if self.value is not None else f"{self.count}/{self.size}"
        return f"{self.characteristic_id} {self.subgroup}: {shown}"
