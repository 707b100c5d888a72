"""Critical process parameters: the limits a tag must stay within while a routing step runs.
The `outside_limits` alert condition checks telemetry against the limits of the operation
running on the equipment."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet


class ProcessParameter(models.Model):
    """One critical parameter of a routing step: `tag` (as machines publish it) between `low`
    and `high` (either may be open)."""

    routing_operation = models.ForeignKey(
        "mes.RoutingOperation", models.CASCADE, related_name="parameters", verbose_name=_("routing operation")
    )
    tag = models.CharField(_("tag"), max_length=50)
    low = models.FloatField(_("low limit"), null=True, blank=True)
    high = models.FloatField(_("high limit"), null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "routing_operation__routing__site"

    class Meta:
        ordering = ["routing_operation", "tag"]
        verbose_name = _("critical process parameter")
        verbose_name_plural = _("critical process parameters")
        constraints = [
            models.UniqueConstraint(fields=["routing_operation", "tag"], name="process_parameter_unique"),
            models.CheckConstraint(
                condition=models.Q(low__isnull=False) | models.Q(high__isnull=False), name="process_parameter_limit"
            ),
            models.CheckConstraint(
                condition=models.Q(low__isnull=True) | models.Q(high__isnull=True) | models.Q(low__lt=models.F("high")),
                name="process_parameter_order",
            ),
        ]

    def __str__(self):
        return (
            f"{self.tag} [{self.low if self.low is not None else '-∞'}, {self.high if self.high is not None else '∞'}]"
        )

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)
