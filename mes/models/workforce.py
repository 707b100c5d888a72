"""What the scheduler needs from the plant beyond machines: the workers of each skill a site
has (labour pools), the setup family each item belongs to, and each work centre's changeover
matrix between families (sequence-dependent setup times)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator
from core.scoping import SiteScopedQuerySet


class LabourPool(TimeStampedModel):
    """The workers of one skill a site has: at most `capacity` of them are busy at once. The
    skill is the name routing operations carry in their `skill` field, matched regardless of
    case and surrounding spaces (one pool per skill and site in that sense)."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="labour_pools", verbose_name=_("site"))
    skill = models.CharField(_("skill"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("workers"), validators=[MinValueValidator(1)])
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["site__code", "skill"]
        verbose_name = _("labour pool")
        verbose_name_plural = _("labour pools")
        constraints = [
            models.UniqueConstraint(
                "site",
                Lower("skill"),
                name="labour_pool_unique",
                violation_error_message=_("This site already has a labour pool of this skill."),
            ),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="labour_pool_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.skill} × {self.capacity}"


class ItemSetupFamily(TimeStampedModel):
    """The setup family an item belongs to at a site (a material, a colour, a die): consecutive
    operations of one family on a machine need no changeover; between two families the work
    centre's changeover matrix says how long."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    family = models.CharField(_("setup family"), max_length=50, validators=[code_validator], help_text=CODE_HELP)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["site__code", "family", "item__code"]
        verbose_name = _("item setup family")
        verbose_name_plural = _("item setup families")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "item"],
                name="item_setup_family_unique",
                violation_error_message=_("This item already has a setup family at this site."),
            )
        ]

    def __str__(self):
        return f"{self.item.code} → {self.family}"


class Changeover(TimeStampedModel):
    """Minutes a work centre's equipment needs to change over from one setup family to the next.
    A pair that is not listed needs none."""

    work_centre = models.ForeignKey(
        "mes.WorkCentre", models.CASCADE, related_name="changeovers", verbose_name=_("work centre")
    )
    from_family = models.CharField(_("from family"), max_length=50, validators=[code_validator])
    to_family = models.CharField(_("to family"), max_length=50, validators=[code_validator])
    minutes = models.PositiveIntegerField(_("minutes"))
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "work_centre__site"

    class Meta:
        ordering = ["work_centre__code", "from_family", "to_family"]
        verbose_name = _("changeover")
        verbose_name_plural = _("changeovers")
        constraints = [
            models.UniqueConstraint(
                fields=["work_centre", "from_family", "to_family"],
                name="changeover_unique",
                violation_error_message=_("This work centre already has a changeover between these families."),
            ),
            models.CheckConstraint(condition=models.Q(minutes__gte=0), name="changeover_minutes_non_negative"),
        ]

    def __str__(self):
        return f"{self.work_centre.code}: {self.from_family} → {self.to_family} {self.minutes} min"

    def clean(self):
        super().clean()
        if self.from_family and self.from_family == self.to_family:
            raise ValidationError({"to_family": _("A changeover goes from one family to another.")})
