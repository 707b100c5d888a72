"""Shift calendars: when a work centre is meant to produce. OEE takes its planned production
time from here and the scheduler its capacity."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.organisation import code_validator
from core.scoping import SiteScopedQuerySet
from mes.models.base import SiteCodedRecord


class ShiftCalendar(SiteCodedRecord):
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="shift_calendars", verbose_name=_("site"))

    class Meta(SiteCodedRecord.Meta):
        verbose_name = _("shift calendar")
        verbose_name_plural = _("shift calendars")


class Shift(models.Model):
    """A shift on the given weekdays (0 = Monday), in the site's local time. An end at or before
    the start ends on the next day (a night shift)."""

    calendar = models.ForeignKey(ShiftCalendar, models.CASCADE, related_name="shifts", verbose_name=_("calendar"))
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    weekdays = models.JSONField(_("weekdays"), default=list, help_text=_("0 = Monday ... 6 = Sunday"))

    objects = SiteScopedQuerySet.as_manager()
    site_field = "calendar__site"

    class Meta:
        ordering = ["calendar", "start"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [models.UniqueConstraint(fields=["calendar", "code"], name="shift_code_unique")]

    def __str__(self):
        return f"{self.calendar.code}/{self.code} {self.start:%H:%M}-{self.end:%H:%M}"


class ShiftBreak(models.Model):
    """A break inside a shift (local time); a time before the shift's start is on the next day."""

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="breaks", verbose_name=_("shift"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["shift", "start"]
        verbose_name = _("break")
        verbose_name_plural = _("breaks")

    def __str__(self):
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


class Holiday(models.Model):
    """A day (local) on which the calendar's shifts do not run."""

    calendar = models.ForeignKey(ShiftCalendar, models.CASCADE, related_name="holidays", verbose_name=_("calendar"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique")]

    def __str__(self):
        return f"{self.date} {self.name}"


class PlannedDowntime(models.Model):
    """Time taken out of production on purpose (preventive maintenance, trials): for one piece of
    equipment, or for every equipment of the calendar when `equipment` is empty."""

    calendar = models.ForeignKey(
        ShiftCalendar, models.CASCADE, related_name="planned_downtimes", verbose_name=_("calendar")
    )
    equipment = models.ForeignKey(
        "mes.Equipment", models.CASCADE, null=True, blank=True, related_name="planned_downtimes"
    )
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.ForeignKey(
        "mes.DowntimeReason", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["calendar", "start"]
        verbose_name = _("planned downtime")
        verbose_name_plural = _("planned downtimes")
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="downtime_order")]

    def __str__(self):
        return f"{self.start:%Y-%m-%d %H:%M} - {self.end:%H:%M}"
