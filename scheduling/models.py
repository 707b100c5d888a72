"""Schedule versions: one solver run each, then draft → proposed → approved → released →
superseded. A version's assignments say which equipment runs each operation, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    RELEASED = "released", _("Released")
    SUPERSEDED = "superseded", _("Superseded")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    STOPPED = "stopped", _("Stopped by a person")
    FAILED = "failed", _("Failed")


class Objective(models.TextChoices):
    """Lexicographic objectives of the engine, first one first."""

    TARDINESS_THEN_MAKESPAN = "weighted_tardiness,makespan", _("Due dates first, then makespan")
    MAKESPAN = "makespan", _("Shortest makespan")
    TARDINESS = "weighted_tardiness", _("Least weighted lateness")


class ScheduleVersion(TimeStampedModel):
    """One plan of a site's open operations from `origin` on.

    `progress` keeps the search's best objective and bound as it went (`[{"seconds", "phase",
    "value", "bound"}]`); `kpis` the figures planners compare (makespan, tardiness, late orders,
    utilisation per equipment).
    """

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="schedule_versions", verbose_name=_("site"))
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    run_state = models.CharField(_("run"), max_length=20, choices=RunState.choices, default=RunState.QUEUED)
    objective = models.CharField(
        _("objective"), max_length=40, choices=Objective.choices, default=Objective.TARDINESS_THEN_MAKESPAN
    )
    time_limit_seconds = models.PositiveIntegerField(_("time limit (s)"), default=30)
    horizon_days = models.PositiveSmallIntegerField(_("horizon (days)"), default=14)
    origin = models.DateTimeField(_("plans from"))
    based_on = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("rescheduled from")
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    progress = models.JSONField(_("progress"), default=list, blank=True)
    solver_status = models.CharField(_("solver status"), max_length=20, blank=True)
    objective_value = models.BigIntegerField(_("objective value"), null=True, blank=True)
    bound = models.BigIntegerField(_("bound"), null=True, blank=True)
    kpis = models.JSONField(_("figures"), default=dict, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("run started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("run finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("proposed by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("released by")
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["progress", "run_state", "updated_at"])

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")
        permissions = [("approve_scheduleversion", _("Can approve schedule versions"))]
        constraints = [
            models.UniqueConstraint(fields=["site", "number"], name="schedule_version_number"),
            # At most one released plan per site: the one the dispatch lists follow.
            models.UniqueConstraint(
                fields=["site"], condition=models.Q(status="released"), name="schedule_one_released"
            ),
            models.CheckConstraint(condition=models.Q(time_limit_seconds__gte=1), name="schedule_time_limit_positive"),
            models.CheckConstraint(condition=models.Q(horizon_days__gte=1), name="schedule_horizon_positive"),
        ]

    def __str__(self):
        return f"{self.site.code} #{self.number}"

    @property
    def objectives(self) -> tuple[str, ...]:
        return tuple(self.objective.split(","))

    @property
    def latest_progress(self) -> dict:
        return self.progress[-1] if self.progress else {}

    @property
    def gap_percent(self):
        """How far the best schedule may still be from the optimum, in % of its objective."""
        point = self.latest_progress if self.solving else {"value": self.objective_value, "bound": self.bound}
        value, bound = point.get("value"), point.get("bound")
        if value is None or bound is None:
            return None
        return round(100 * (value - bound) / value, 1) if value else 0.0

    @property
    def elapsed_percent(self) -> int:
        if not self.solving:
            return 100
        seconds = self.latest_progress.get("seconds", 0) or 0
        return min(100, int(100 * seconds / max(self.time_limit_seconds, 1)))

    @property
    def solving(self) -> bool:
        return self.run_state in (RunState.QUEUED, RunState.RUNNING)


class ScheduleAssignment(models.Model):
    """Where and when one operation runs in a version. `end` includes calendar gaps it spans."""

    version = models.ForeignKey(ScheduleVersion, models.CASCADE, related_name="assignments", verbose_name=_("version"))
    operation = models.ForeignKey("mes.Operation", models.CASCADE, related_name="+", verbose_name=_("operation"))
    equipment = models.ForeignKey("mes.Equipment", models.PROTECT, related_name="+", verbose_name=_("equipment"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    rank = models.PositiveIntegerField(_("order on the equipment"))
    late = models.BooleanField(_("late"), default=False)
    fixed = models.BooleanField(_("already running"), default=False)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "version__site"

    class Meta:
        ordering = ["version", "equipment", "start"]
        verbose_name = _("schedule assignment")
        verbose_name_plural = _("schedule assignments")
        constraints = [
            models.UniqueConstraint(fields=["version", "operation"], name="schedule_assignment_once"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="schedule_assignment_order"),
        ]
        indexes = [models.Index(fields=["version", "equipment", "start"], name="schedule_by_equipment")]

    def __str__(self):
        return f"{self.version} {self.operation_id}@{self.equipment_id} {self.start:%Y-%m-%d %H:%M}"
