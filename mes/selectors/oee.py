"""OEE per equipment over a shift, a day or any window:

- availability = run time / planned production time. Planned time is the calendar's shifts less
  breaks, holidays and planned downtime; run time is the equipment's `running` state intervals
  inside the planned time.
- performance = Σ ideal cycle time × pieces counted / run time (ideal cycle per item and
  equipment, else the routing's run time per unit).
- quality = good / (good + scrap).
"""

from datetime import date, datetime, timedelta

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


def _calendar_windows(calendar, tz, start: datetime, end: datetime) -> list[Interval]:
    """The calendar's shift time (less breaks and holidays) between `start` and `end`; the
    calendar's shifts, breaks and holidays are read from its prefetched relations."""
    holidays = {holiday.date for holiday in calendar.holidays.all()}
    shifts = list(calendar.shifts.all())
    windows: list[Interval] = []
    day = start.astimezone(tz).date() - timedelta(days=1)
    while day <= end.astimezone(tz).date():
        if day not in holidays:
            for shift in shifts:
                if day.weekday() in (shift.weekdays or []):
                    windows.extend(_shift_time(shift, day, tz))
        day += timedelta(days=1)
    return _clip(windows, start, end)


def planned_time(equipment, start: datetime, end: datetime) -> list[Interval]:
    """The planned production intervals of `equipment` between `start` and `end` (UTC-aware)."""
    data = PlantData.load([equipment], start, end)
    return data.planned(equipment, start, end)


def run_time(equipment, start: datetime, end: datetime, now=None) -> list[Interval]:
    """The equipment's `running` intervals between `start` and `end` (an open one runs to now)."""
    data = PlantData.load([equipment], start, end, now=now)
    return data.states(equipment, start, end, EquipmentState.RUNNING)


# A stop shorter than this is a small stop (one of the six big losses), whatever its state.
SMALL_STOP_SECONDS = 300
# Scrap reported within this time of its operation's start counts as a startup reject.
STARTUP_SECONDS = 900
# States whose time inside planned time is a breakdown loss.
BREAKDOWN_STATES = (EquipmentState.DOWN, EquipmentState.MAINTENANCE, EquipmentState.OFFLINE)


class PlantData:
    """Everything OEE needs for many pieces of equipment over one window, read in a fixed number
    of queries (calendars with shifts, breaks and holidays; planned downtime; state records;
    production reports; ideal cycle times), so a dashboard of 200 machines costs what one does.
    Figures for any sub-window (a shift, a day) are then computed in memory."""

    def __init__(self, equipment, start, end, now, calendars, downtime, records, reports, ideal):
        self.equipment = {e.pk: e for e in equipment}
        self.start, self.end, self.now = start, end, now
        self.calendars = calendars
        self.downtime = downtime
        self.records = records
        self.reports = reports
        self.ideal = ideal
        self._windows: dict[tuple, list[Interval]] = {}

    @classmethod
    def load(cls, equipment, start: datetime, end: datetime, now=None) -> "PlantData":
        from mes.models import ShiftCalendar

        now = now or timezone.now()
        equipment = list(equipment)
        ids = [e.pk for e in equipment]
        calendar_ids = {e.work_centre.calendar_id for e in equipment if e.work_centre.calendar_id}
        calendars = {
            c.pk: c
            for c in ShiftCalendar.objects.filter(pk__in=calendar_ids).prefetch_related("shifts__breaks", "holidays")
        }
        downtime: dict[int, list] = {}
        for d in PlannedDowntime.objects.filter(calendar_id__in=calendar_ids, start__lt=end, end__gt=start).values(
            "calendar_id", "equipment_id", "start", "end"
        ):
            downtime.setdefault(d["calendar_id"], []).append(d)
        records: dict[int, list] = {pk: [] for pk in ids}
        for r in (
            EquipmentStateRecord.objects.filter(equipment_id__in=ids, started_at__lt=end)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
            .order_by("equipment_id", "started_at")
            .values("equipment_id", "state", "started_at", "ended_at", "reason__code", "reason__name")
        ):
            r["ended_at"] = r["ended_at"] or max(now, r["started_at"])
            records[r["equipment_id"]].append(r)
        reports: dict[int, list] = {pk: [] for pk in ids}
        for r in ProductionReport.objects.filter(
            equipment_id__in=ids, reported_at__gte=start, reported_at__lt=end
        ).values(
            "equipment_id",
            "reported_at",
            "good",
            "scrap",
            "work_order__item_id",
            "operation__run_seconds_per_unit",
            "operation__started_at",
        ):
            reports[r["equipment_id"]].append(r)
        ideal = {
            (e, i): float(s)
            for e, i, s in IdealCycleTime.objects.filter(equipment_id__in=ids).values_list(
                "equipment_id", "item_id", "seconds"
            )
        }
        return cls(equipment, start, end, now, calendars, downtime, records, reports, ideal)

    def planned(self, equipment, start: datetime, end: datetime) -> list[Interval]:
        calendar = self.calendars.get(equipment.work_centre.calendar_id)
        if calendar is None:
            return []
        tz = equipment.site.tzinfo
        key = (calendar.pk, str(tz), start, end)
        if key not in self._windows:  # machines sharing a calendar share its shift time
            self._windows[key] = _calendar_windows(calendar, tz, start, end)
        windows = self._windows[key]
        holes = [
            (d["start"], d["end"])
            for d in self.downtime.get(calendar.pk, [])
            if d["equipment_id"] in (None, equipment.pk)
        ]
        return _subtract(windows, holes)

    def states(self, equipment, start: datetime, end: datetime, *states) -> list[Interval]:
        return _clip(
            [(r["started_at"], r["ended_at"]) for r in self.records[equipment.pk] if r["state"] in states], start, end
        )

    def stops(self, equipment, planned: list[Interval]) -> list[dict]:
        """Each non-running state record's time inside `planned`, with its state and reason."""
        stops = []
        for r in self.records[equipment.pk]:
            if r["state"] == EquipmentState.RUNNING:
                continue
            seconds = _seconds(_intersect([(r["started_at"], r["ended_at"])], planned))
            if seconds > 0:
                stops.append(r | {"seconds": seconds, "length": (r["ended_at"] - r["started_at"]).total_seconds()})
        return stops

    def figures(self, equipment, start: datetime, end: datetime) -> dict:
        """OEE of one piece of equipment between `start` and `end` (inside the loaded window),
        its three factors, their inputs and the six big losses in seconds."""
        planned = self.planned(equipment, start, end)
        running = _intersect(self.states(equipment, start, end, EquipmentState.RUNNING), planned)
        planned_seconds, run_seconds = _seconds(planned), _seconds(running)
        good = scrap = ideal_seconds = startup_scrap_seconds = scrap_seconds = 0.0
        for r in self.reports[equipment.pk]:
            if not start <= r["reported_at"] < end:
                continue
            cycle = float(
                self.ideal.get((equipment.pk, r["work_order__item_id"]), r["operation__run_seconds_per_unit"]) or 0
            )
            report_good, report_scrap = float(r["good"]), float(r["scrap"])
            good += report_good
            scrap += report_scrap
            ideal_seconds += cycle * (report_good + report_scrap)
            scrap_seconds += cycle * report_scrap
            began = r["operation__started_at"]
            if began is not None and 0 <= (r["reported_at"] - began).total_seconds() <= STARTUP_SECONDS:
                startup_scrap_seconds += cycle * report_scrap
        stops = self.stops(equipment, _clip(planned, start, end))
        breakdowns = setup = small = idle = 0.0
        for stop in stops:
            if stop["length"] < SMALL_STOP_SECONDS:
                small += stop["seconds"]
            elif stop["state"] in BREAKDOWN_STATES:
                breakdowns += stop["seconds"]
            elif stop["state"] == EquipmentState.SETUP:
                setup += stop["seconds"]
            else:
                idle += stop["seconds"]
        return _with_factors(
            {
                "equipment": equipment.code,
                "start": start,
                "end": end,
                "planned_seconds": planned_seconds,
                "run_seconds": run_seconds,
                "ideal_seconds": ideal_seconds,
                "good": good,
                "scrap": scrap,
                "losses": {
                    "breakdowns": breakdowns,
                    "setup_adjustment": setup,
                    "small_stops": small,
                    "reduced_speed": max(run_seconds - ideal_seconds, 0.0),
                    "startup_rejects": startup_scrap_seconds,
                    "production_rejects": scrap_seconds - startup_scrap_seconds,
                    "idle": idle,
                },
            }
        )


LOSSES = (
    "breakdowns",
    "setup_adjustment",
    "small_stops",
    "reduced_speed",
    "startup_rejects",
    "production_rejects",
    "idle",
)


def _with_factors(figures: dict) -> dict:
    planned, run, ideal = figures["planned_seconds"], figures["run_seconds"], figures["ideal_seconds"]
    total = figures["good"] + figures["scrap"]
    availability = run / planned if planned else None
    performance = ideal / run if run else None
    quality = figures["good"] / total if total else None
    factors = (availability, performance, quality)
    return figures | {
        "availability": availability,
        "performance": performance,
        "quality": quality,
        "oee": availability * performance * quality if None not in factors else None,
    }


def combine(rows: list[dict], **label) -> dict:
    """The OEE of a group (a work centre, a site) from its members' figures: times and counts are
    summed and the factors computed again from the sums, so a machine with more planned time
    weighs more (never an average of percentages)."""
    total = {"planned_seconds": 0.0, "run_seconds": 0.0, "ideal_seconds": 0.0, "good": 0.0, "scrap": 0.0}
    losses = dict.fromkeys(LOSSES, 0.0)
    for row in rows:
        for key in total:
            total[key] += row[key]
        for key in LOSSES:
            losses[key] += row["losses"][key]
    return _with_factors(label | total | {"losses": losses, "members": len(rows)})


def oee(*, equipment, start: datetime, end: datetime, now=None) -> dict:
    """OEE of `equipment` between `start` and `end`, with its three factors and their inputs."""
    return PlantData.load([equipment], start, end, now=now).figures(equipment, start, end)


def oee_for_shift(*, equipment, shift, day, now=None) -> dict:
    """OEE of `equipment` in `shift` starting on local `day`."""
    start, end = shift_window(shift, day, equipment.site.tzinfo)
    return oee(equipment=equipment, start=start, end=end, now=now) | {"shift": shift.code, "day": day}


def day_window(day, tz) -> Interval:
    """Local `day` at the site, midnight to midnight."""
    start = datetime.combine(day, datetime.min.time()).replace(tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(tzinfo=tz)


def oee_for_day(*, equipment, day, now=None) -> dict:
    """OEE of `equipment` over local `day` (midnight to midnight at the site)."""
    start, end = day_window(day, equipment.site.tzinfo)
    return oee(equipment=equipment, start=start, end=end, now=now) | {"day": day}


SCOPES = ("equipment", "work_centre", "site")
PERIODS = ("shift", "day")


def _scope_of(equipment, scope: str) -> tuple[str, str]:
    if scope == "equipment":
        return equipment.code, equipment.name
    if scope == "work_centre":
        return equipment.work_centre.code, equipment.work_centre.name
    return equipment.site.code, equipment.site.name


def _load_days(equipment: list, first: date, last: date, now=None) -> PlantData:
    """The data of `equipment` over local days `first`..`last` (and the night shift that ends
    the day after)."""
    starts = [day_window(first, e.site.tzinfo)[0] for e in equipment]
    ends = [day_window(last + timedelta(days=1), e.site.tzinfo)[1] for e in equipment]
    return PlantData.load(equipment, min(starts), max(ends), now=now)


def _windows(data: PlantData, equipment, period: str, first: date, last: date):
    """(day, shift code or None, start, end) of each period of `equipment` over the days."""
    tz = equipment.site.tzinfo
    calendar = data.calendars.get(equipment.work_centre.calendar_id)
    day = first
    while day <= last:
        if period == "day":
            yield (day, None, *day_window(day, tz))
        elif calendar is not None and day not in {h.date for h in calendar.holidays.all()}:
            for shift in calendar.shifts.all():
                if day.weekday() in (shift.weekdays or []):
                    yield (day, shift.code, *shift_window(shift, day, tz))
        day += timedelta(days=1)


def oee_table(*, equipment, scope: str = "equipment", period: str = "day", first: date, last: date, now=None):
    """OEE rows per `scope` (equipment, work centre or site) and `period` (each shift or each local
    day) from `first` to `last`: one row per scope code, day and shift, with the factors, their
    inputs and the six big losses. Groups are combined from their machines' sums (`combine`).
    A period still running counts up to now; one not begun yet has no row."""
    equipment = list(equipment)
    if not equipment:
        return []
    now = now or timezone.now()
    data = _load_days(equipment, first, last, now=now)
    groups: dict[tuple, list] = {}
    names: dict[str, str] = {}
    for machine in equipment:
        code, name = _scope_of(machine, scope)
        names[code] = name
        for day, shift, start, end in _windows(data, machine, period, first, last):
            if start >= now:
                continue  # not begun: nothing planned has been lost or made yet
            groups.setdefault((day, shift or "", code), []).append(data.figures(machine, start, min(end, now)))
    rows = []
    for (day, shift, code), members in sorted(groups.items()):
        row = combine(members, scope=scope, code=code, name=names[code], day=day, shift=shift or None)
        row["start"] = min(m["start"] for m in members)
        row["end"] = max(m["end"] for m in members)
        rows.append(row)
    return rows


def oee_today(*, equipment, now=None) -> dict[int, dict]:
    """Each machine's OEE over its site's current local day so far, keyed by equipment id, from
    one bulk read (the supervisor dashboard's tiles)."""
    now = now or timezone.now()
    equipment = list(equipment)
    if not equipment:
        return {}
    windows = {e.pk: day_window(now.astimezone(e.site.tzinfo).date(), e.site.tzinfo) for e in equipment}
    data = PlantData.load(equipment, min(w[0] for w in windows.values()), max(w[1] for w in windows.values()), now=now)
    return {e.pk: data.figures(e, windows[e.pk][0], min(windows[e.pk][1], now)) for e in equipment}


def downtime_pareto(*, equipment, start: datetime, end: datetime, now=None) -> list[dict]:
    """Stopped time inside planned time by reason, largest first, with each reason's share and
    the cumulative share (a Pareto). A stop without a reason counts under its state."""
    equipment = list(equipment)
    if not equipment:
        return []
    data = PlantData.load(equipment, start, end, now=now)
    totals: dict[str, dict] = {}
    for machine in equipment:
        for stop in data.stops(machine, data.planned(machine, start, end)):
            if stop["reason__code"]:
                key, name = stop["reason__code"], stop["reason__name"]
            else:
                key, name = stop["state"], str(EquipmentState(stop["state"]).label)
            entry = totals.setdefault(key, {"reason": key, "name": name, "seconds": 0.0, "stops": 0})
            entry["seconds"] += stop["seconds"]
            entry["stops"] += 1
    rows = sorted(totals.values(), key=lambda r: (-r["seconds"], r["reason"]))
    grand = sum(r["seconds"] for r in rows)
    running = 0.0
    for row in rows:
        running += row["seconds"]
        row["share"] = row["seconds"] / grand if grand else 0.0
        row["cumulative"] = running / grand if grand else 0.0
    return rows
