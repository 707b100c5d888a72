from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import SiteScopedQuerySet


class ControlLimits(models.Model):
    """Phase II limits of a characteristic at a site, set by quality from a phase I baseline.

    `center` and `sigma` are the process parameters the limits of every later subgroup follow
    from (grand mean and sigma within for variables charts; p-bar, c-bar or u-bar for attribute
    charts, whose sigma follows from the sample size). `ucl`/`lcl` and the secondary chart's
    limits are those of the baseline's usual subgroup size, as shown. Replaced limits stay, not
    active, as the record of what was charted when."""

    characteristic = models.ForeignKey(
        "qms.Characteristic", models.PROTECT, related_name="control_limits", verbose_name=_("characteristic")
    )
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    chart = models.CharField(_("control chart"), max_length=10)
    center = models.FloatField(_("centre line"))
    sigma = models.FloatField(_("sigma within"), null=True, blank=True)
    ucl = models.FloatField(_("upper control limit"))
    lcl = models.FloatField(_("lower control limit"))
    secondary_center = models.FloatField(_("secondary centre line"), null=True, blank=True)
    secondary_ucl = models.FloatField(_("secondary upper control limit"), null=True, blank=True)
    secondary_lcl = models.FloatField(_("secondary lower control limit"), null=True, blank=True)
    subgroup_size = models.PositiveIntegerField(_("usual subgroup size"))
    baseline_first = models.CharField(_("first baseline subgroup"), max_length=60)
    baseline_last = models.CharField(_("last baseline subgroup"), max_length=60)
    baseline_subgroups = models.PositiveIntegerField(_("baseline subgroups"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"))
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        verbose_name = _("control limits")
        verbose_name_plural = _("control limits")
        ordering = ["-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["characteristic", "site"], condition=models.Q(active=True), name="control_limits_one_active"
            ),
        ]

    def __str__(self):
        return f"{self.characteristic_id}@{self.site_id}: {self.lcl:g}..{self.ucl:g}"


class SpcColour(models.TextChoices):
    GREEN = "green", _("In control and capable")
    AMBER = "amber", _("Watch")
    RED = "red", _("Act")
    NONE = "none", _("No data")


class SpcStatus(models.Model):
    """Where a characteristic stands at a site, kept by each evaluation of new subgroups so the
    status board reads one row per characteristic. `evaluated_at`/`evaluated_subgroup` mark the
    newest subgroup already evaluated: a subgroup is judged (and alerted on) once."""

    characteristic = models.ForeignKey(
        "qms.Characteristic", models.CASCADE, related_name="spc_statuses", verbose_name=_("characteristic")
    )
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    colour = models.CharField(_("status"), max_length=5, choices=SpcColour.choices, default=SpcColour.NONE)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    recent_rules = models.JSONField(_("rules broken recently"), default=list, blank=True)
    out_of_spec = models.BooleanField(_("out of specification recently"), default=False)
    cpk = models.FloatField(_("Cpk"), null=True, blank=True)
    subgroups = models.PositiveIntegerField(_("subgroups"), default=0)
    last_value = models.FloatField(_("last point"), null=True, blank=True)
    work_centre = models.ForeignKey(
        "mes.WorkCentre", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("work centre")
    )
    evaluated_at = models.DateTimeField(_("newest evaluated subgroup measured at"), null=True, blank=True)
    evaluated_subgroup = models.CharField(_("newest evaluated subgroup"), max_length=60, blank=True)
    alert_rule = models.ForeignKey(
        "mes.AlertRule", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("alert rule")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        verbose_name = _("SPC status")
        verbose_name_plural = _("SPC statuses")
        ordering = ["characteristic", "site"]
        constraints = [
            models.UniqueConstraint(fields=["characteristic", "site"], name="spc_status_unique"),
        ]

    def __str__(self):
        return f"{self.characteristic_id}@{self.site_id}: {self.colour}"
