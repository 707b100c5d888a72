"""OEE per equipment over a shift, a day or any window:

- availability = run time / planned production time. Planned time is the calendar's shifts less
  breaks, holidays and planned downtime; run time is the equipment's `running` state intervals
  inside the planned time.
- performance = Σ ideal cycle time × pieces counted / run time (ideal cycle per item and
  equipment, else the routing's run time per unit).
- quality = good / (good + scrap).
"""

from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from mes.models import EquipmentState, EquipmentStateRecord, IdealCycleTime, PlannedDowntime, ProductionReport

Interval = tuple[datetime, datetime]


def _clip(intervals: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def _subtract(intervals: list[Interval], holes: list[Interval]) -> list[Interval]:
    result = list(intervals)
    for hole_start, hole_end in holes:
        pieces = []
        for s, e in result:
            if hole_end <= s or hole_start >= e:
                pieces.append((s, e))
                continue
            if s < hole_start:
                pieces.append((s, hole_start))
            if hole_end < e:
                pieces.append((hole_end, e))
        result = pieces
    return result


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            s, e = max(s1, s2), min(e1, e2)
            if s < e:
                out.append((s, e))
    return out


def _seconds(intervals: list[Interval]) -> float:
    return sum((e - s).total_seconds() for s, e in intervals)


def _local(day, time, tz) -> datetime:
    return datetime.combine(day, time).replace(tzinfo=tz)


def shift_window(shift, day, tz) -> Interval:
    """The shift's interval starting on local `day` (ends the next day when it crosses midnight)."""
    start = _local(day, shift.start, tz)
    end = _local(day, shift.end, tz)
    if end <= start:
        end += timedelta(days=1)
    return start, end


def _shift_time(shift, day, tz) -> list[Interval]:
    start, end = shift_window(shift, day, tz)
    breaks = []
    for pause in shift.breaks.all():
        b_start, b_end = _local(day, pause.start, tz), _local(day, pause.end, tz)
        if b_start < start:
            b_start, b_end = b_start + timedelta(days=1), b_end + timedelta(days=1)
        if b_end <= b_start:
            b_end += timedelta(days=1)
        breaks.append((b_start, b_end))
    return _subtract([(start, end)], breaks)


def planned_time(equipment, start: datetime, end: datetime) -> list[Interval]:
    """The planned production intervals of `equipment` between `start` and `end` (UTC-aware)."""
    calendar = equipment.work_centre.calendar
    if calendar is None:
        return []
    tz = equipment.site.tzinfo
    holidays = set(calendar.holidays.values_list("date", flat=True))
    shifts = list(calendar.shifts.prefetch_related("breaks"))
    windows: list[Interval] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date():
        if day not in holidays:
            for shift in shifts:
                if day.weekday() in (shift.weekdays or []):
                    windows.extend(_shift_time(shift, day, tz))
        day += timedelta(days=1)
    windows = _clip(windows, start, end)
    downtime = PlannedDowntime.objects.filter(calendar=calendar, start__lt=end, end__gt=start).filter(
        Q(equipment__isnull=True) | Q(equipment=equipment)
    )
    return _subtract(windows, [(d.start, d.end) for d in downtime])


def run_time(equipment, start: datetime, end: datetime, now=None) -> list[Interval]:
    """The equipment's `running` intervals between `start` and `end` (an open one runs to now)."""
    now = now or timezone.now()
    records = EquipmentStateRecord.objects.filter(
        equipment=equipment, state=EquipmentState.RUNNING, started_at__lt=end
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    return _clip([(r.started_at, r.ended_at or now) for r in records], start, end)


def oee(*, equipment, start: datetime, end: datetime, now=None) -> dict:
    """OEE of `equipment` between `start` and `end`, with its three factors and their inputs."""
    planned = planned_time(equipment, start, end)
    running = _intersect(run_time(equipment, start, end, now=now), planned)
    planned_seconds, run_seconds = _seconds(planned), _seconds(running)
    reports = ProductionReport.objects.filter(equipment=equipment, reported_at__gte=start, reported_at__lt=end)
    ideal = dict(IdealCycleTime.objects.filter(equipment=equipment).values_list("item_id", "seconds"))
    good = scrap = 0.0
    ideal_seconds = 0.0
    for item_id, per_unit, report_good, report_scrap in reports.values_list(
        "work_order__item_id", "operation__run_seconds_per_unit", "good", "scrap"
    ):
        good += float(report_good)
        scrap += float(report_scrap)
        cycle = ideal.get(item_id, per_unit)
        ideal_seconds += float(cycle or 0) * float(report_good + report_scrap)
    total = good + scrap
    availability = run_seconds / planned_seconds if planned_seconds else None
    performance = ideal_seconds / run_seconds if run_seconds else None
    quality = good / total if total else None
    factors = (availability, performance, quality)
    return {
        "equipment": equipment.code,
        "start": start,
        "end": end,
        "planned_seconds": planned_seconds,
        "run_seconds": run_seconds,
        "ideal_seconds": ideal_seconds,
        "good": good,
        "scrap": scrap,
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "oee": availability * performance * quality if None not in factors else None,
    }


def oee_for_shift(*, equipment, shift, day, now=None) -> dict:
    """OEE of `equipment` in `shift` starting on local `day`."""
    start, end = shift_window(shift, day, equipment.site.tzinfo)
    return oee(equipment=equipment, start=start, end=end, now=now) | {"shift": shift.code, "day": day}


def oee_for_day(*, equipment, day, now=None) -> dict:
    """OEE of `equipment` over local `day` (midnight to midnight at the site)."""
    tz = equipment.site.tzinfo
    start = datetime.combine(day, datetime.min.time()).replace(tzinfo=tz)
    return oee(equipment=equipment, start=start, end=start + timedelta(days=1), now=now) | {"day": day}
