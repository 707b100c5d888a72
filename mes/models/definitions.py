"""Product definitions: bills of materials and routings, both versioned per site and item.

A version is draft → approved (signed) → obsolete; only an approved version is used, and
approving one makes the previously approved version of the same site and item obsolete.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet

QUANTITY = {"max_digits": 18, "decimal_places": 6}


class DefinitionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    OBSOLETE = "obsolete", _("Obsolete")


class VersionedDefinition(TimeStampedModel):
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=20, choices=DefinitionStatus.choices, default=DefinitionStatus.DRAFT
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        abstract = True
        ordering = ["site__code", "item__code", "-version"]

    def __str__(self):
        return f"{self.item.code} v{self.version} ({self.get_status_display()})"


def versioned_constraints(prefix: str) -> list:
    """A versioned definition's constraints: one row per version, one approved version at most."""
    return [
        models.UniqueConstraint(fields=["site", "item", "version"], name=f"{prefix}_version_unique"),
        models.UniqueConstraint(
            fields=["site", "item"], condition=models.Q(status="approved"), name=f"{prefix}_one_approved"
        ),
    ]


class BOM(VersionedDefinition):
    history = HistoricalRecords()

    class Meta(VersionedDefinition.Meta):
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        constraints = versioned_constraints("bom")


class BOMLine(models.Model):
    """A component per unit of the BOM's item. `scrap_factor` is the expected loss in percent
    added to what a work order needs; a phantom component is never stocked: its own approved BOM
    is exploded into the parent's work orders instead."""

    bom = models.ForeignKey(BOM, models.CASCADE, related_name="lines", verbose_name=_("bill of materials"))
    line_no = models.PositiveIntegerField(_("line"))
    component = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("component"))
    quantity = models.DecimalField(_("quantity per unit"), **QUANTITY)
    unit = models.ForeignKey("core.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    scrap_factor = models.DecimalField(_("scrap factor (%)"), max_digits=7, decimal_places=3, default=0)
    phantom = models.BooleanField(_("phantom"), default=False)

    class Meta:
        ordering = ["bom", "line_no"]
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        constraints = [
            models.UniqueConstraint(fields=["bom", "line_no"], name="bom_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="bom_line_quantity_positive"),
            models.CheckConstraint(condition=models.Q(scrap_factor__gte=0), name="bom_line_scrap_factor"),
        ]

    def __str__(self):
        return f"{self.bom} #{self.line_no} {self.component.code} {self.quantity}"


class Routing(VersionedDefinition):
    history = HistoricalRecords()

    class Meta(VersionedDefinition.Meta):
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        constraints = versioned_constraints("routing")


class RoutingOperation(models.Model):
    """One step of a routing: where it runs, how long it takes, who may do it, what it consumes."""

    routing = models.ForeignKey(Routing, models.CASCADE, related_name="operations", verbose_name=_("routing"))
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=200)
    work_centre = models.ForeignKey("mes.WorkCentre", models.PROTECT, related_name="+", verbose_name=_("work centre"))
    eligible_equipment = models.ManyToManyField(
        "mes.Equipment", blank=True, related_name="+", verbose_name=_("eligible equipment")
    )
    setup_minutes = models.DecimalField(_("setup (min)"), max_digits=10, decimal_places=2, default=0)
    run_seconds_per_unit = models.DecimalField(_("run time per unit (s)"), max_digits=12, decimal_places=3, default=0)
    labour = models.PositiveSmallIntegerField(_("operators"), default=1)
    skill = models.CharField(_("skill"), max_length=100, blank=True)
    instructions = models.TextField(_("work instructions"), blank=True)
    materials = models.ManyToManyField(
        "core.Item",
        blank=True,
        related_name="+",
        verbose_name=_("materials consumed here"),
        help_text=_("Components of the BOM consumed at this step; the first step takes the rest."),
    )

    class Meta:
        ordering = ["routing", "sequence"]
        verbose_name = _("routing operation")
        verbose_name_plural = _("routing operations")
        constraints = [models.UniqueConstraint(fields=["routing", "sequence"], name="routing_operation_unique")]

    def __str__(self):
        return f"{self.routing} {self.sequence} {self.name}"
