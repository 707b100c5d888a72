"""The plant model: site → area → work centre → equipment, with each equipment's state history
(what OEE reads) and its ideal cycle time per item."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator
from core.scoping import SiteScopedQuerySet
from mes.models.base import SiteCodedRecord


class Area(SiteCodedRecord):
    """A hall or line of a site (machining, assembly, test)."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="mes_areas", verbose_name=_("site"))

    class Meta(SiteCodedRecord.Meta):
        verbose_name = _("area")
        verbose_name_plural = _("areas")


class WorkCentre(TimeStampedModel):
    """A group of equipment that does the same kind of operation. Its code is unique across the
    company; what it makes goes to its output bin, what it consumes comes from its line-side bin."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="work_centres", verbose_name=_("site"))
    area = models.ForeignKey(Area, models.PROTECT, related_name="work_centres", verbose_name=_("area"))
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    calendar = models.ForeignKey(
        "mes.ShiftCalendar",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="work_centres",
        verbose_name=_("shift calendar"),
    )
    output_bin = models.ForeignKey(
        "wms.Bin", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("output bin")
    )
    line_side_bin = models.ForeignKey(
        "wms.Bin", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("line-side bin")
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["site__code", "code"]
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")

    def __str__(self):
        return f"{self.code} · {self.name}"


class EquipmentClass(TimeStampedModel):
    """A kind of machine (CNC lathe, brazing furnace, leak tester); alert rules may target a class."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("equipment class")
        verbose_name_plural = _("equipment classes")

    def __str__(self):
        return self.name


class EquipmentState(models.TextChoices):
    RUNNING = "running", _("Running")
    IDLE = "idle", _("Idle")
    DOWN = "down", _("Down")
    SETUP = "setup", _("Setup")
    MAINTENANCE = "maintenance", _("Maintenance")
    OFFLINE = "offline", _("Offline")


# States in which a piece of equipment cannot take a job.
UNAVAILABLE_STATES = (EquipmentState.DOWN, EquipmentState.MAINTENANCE, EquipmentState.OFFLINE)


class Equipment(TimeStampedModel):
    """A machine or station of a work centre. Its code is unique across the company (machines
    publish under it)."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="equipment", verbose_name=_("site"))
    work_centre = models.ForeignKey(WorkCentre, models.PROTECT, related_name="equipment", verbose_name=_("work centre"))
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    equipment_class = models.ForeignKey(
        EquipmentClass, models.PROTECT, related_name="equipment", verbose_name=_("equipment class")
    )
    state = models.CharField(_("state"), max_length=20, choices=EquipmentState.choices, default=EquipmentState.IDLE)
    state_since = models.DateTimeField(_("state since"))
    active = models.BooleanField(_("active"), default=True)
    # Set by quality (mes.services.equipment.set_equipment_quality_hold): while it says why, no
    # operation starts, is set up or is reported on this equipment.
    quality_hold_reason = models.CharField(_("quality hold"), max_length=300, blank=True)
    history = HistoricalRecords(excluded_fields=["state", "state_since"])

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["site__code", "code"]
        verbose_name = _("equipment")
        verbose_name_plural = _("equipment")

    def __str__(self):
        return f"{self.code} · {self.name}"


class EquipmentStateRecord(models.Model):
    """One interval of an equipment's state; the open one has no `ended_at`. OEE reads these."""

    equipment = models.ForeignKey(Equipment, models.CASCADE, related_name="state_records", verbose_name=_("equipment"))
    state = models.CharField(_("state"), max_length=20, choices=EquipmentState.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.ForeignKey(
        "mes.DowntimeReason", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    operation = models.ForeignKey(
        "mes.Operation", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("operation")
    )

    objects = SiteScopedQuerySet.as_manager()
    site_field = "equipment__site"

    class Meta:
        ordering = ["equipment", "started_at"]
        verbose_name = _("equipment state record")
        verbose_name_plural = _("equipment state records")
        indexes = [models.Index(fields=["equipment", "started_at"], name="eq_state_time")]
        constraints = [
            models.UniqueConstraint(
                fields=["equipment"], condition=models.Q(ended_at__isnull=True), name="eq_one_open_state"
            )
        ]

    def __str__(self):
        return f"{self.equipment.code} {self.state} {self.started_at:%Y-%m-%d %H:%M}"


class IdealCycleTime(models.Model):
    """The fastest sustainable time for one unit of an item on one piece of equipment (OEE
    performance)."""

    equipment = models.ForeignKey(Equipment, models.CASCADE, related_name="cycle_times", verbose_name=_("equipment"))
    item = models.ForeignKey("core.Item", models.CASCADE, related_name="+", verbose_name=_("item"))
    seconds = models.DecimalField(_("ideal cycle time (s)"), max_digits=12, decimal_places=3)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "equipment__site"

    class Meta:
        ordering = ["equipment", "item"]
        verbose_name = _("ideal cycle time")
        verbose_name_plural = _("ideal cycle times")
        constraints = [
            models.UniqueConstraint(fields=["equipment", "item"], name="cycle_time_unique"),
            models.CheckConstraint(condition=models.Q(seconds__gt=0), name="cycle_time_positive"),
        ]

    def __str__(self):
        return f"{self.equipment.code} {self.item.code} {self.seconds}s"
