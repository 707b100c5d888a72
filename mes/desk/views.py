"""The supervisor dashboard (a live tile per machine, orders against due dates, WIP), its
fragments the page re-fetches when a pushed event names them, the equipment page, the OEE page
and the KPI page. Reads only: every figure comes from mes/selectors."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mes.desk.forms import KPIForm, OEEForm, bound_or_default
from mes.models import ProductionReport
from mes.selectors import charts, dashboard, kpis, oee, plant

VIEW = "mes.view_equipment"

# Templates of extra panels on the equipment page (quality, maintenance): a higher app adds
# its template name here from its AppConfig.ready(); each receives the page's context.
EQUIPMENT_PANELS: list[str] = []


def guarded(view):
    """Signed-in users who may view equipment, at a current site."""

    @login_required
    @permission_required(VIEW, raise_exception=True)
    def wrapper(request, *args, **kwargs):
        if request.site is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _drill(request):
    """The area and work centre the dashboard is narrowed to (`?area=`, `?work_centre=` codes)."""
    area = work_centre = None
    if code := request.GET.get("area"):
        area = get_object_or_404(dashboard.area_list(user=request.user, site=request.site), code=code)
    if code := request.GET.get("work_centre"):
        work_centre = get_object_or_404(dashboard.work_centre_choices(user=request.user, site=request.site), code=code)
        area = work_centre.area
    return area, work_centre


def _tile_context(tiles) -> dict:
    """What every tile's template shares, resolved once per page rather than once per tile: the
    URL prefixes and the labels (a wall board renders hundreds of tiles)."""
    tz = timezone.get_current_timezone()
    for tile in tiles:
        since = tile["state_since"].astimezone(tz)
        tile["since_iso"], tile["since_clock"] = since.isoformat(), since.strftime("%H:%M")
        if tile["alerts"] is not None:
            tile["alerts_label"] = ngettext("%(n)s alert", "%(n)s alerts", tile["alerts"]) % {"n": tile["alerts"]}
    return {
        "urls": {
            "tile": reverse("mes:dashboard-tile", args=["-"])[:-2],
            "equipment": reverse("mes:equipment-page", args=["-"])[:-2],
            "workorder": reverse("mes:workorder-detail", args=[0])[:-2],
        },
        "labels": {
            "no_job": _("No job"),
            "oee": _("OEE"),
            "oee_today": _("OEE today"),
            "availability": _("Availability"),
            "performance": _("Performance"),
            "quality": _("Quality"),
        },
    }


def _grouped(tiles):
    """Tiles grouped by area, then work centre, in the order they come."""
    areas: dict[int, dict] = {}
    for tile in tiles:
        area = areas.setdefault(tile["area"].pk, {"area": tile["area"], "centres": {}})
        centre = area["centres"].setdefault(tile["work_centre"].pk, {"work_centre": tile["work_centre"], "tiles": []})
        centre["tiles"].append(tile)
    return [{"area": a["area"], "centres": list(a["centres"].values())} for a in areas.values()]


def _board_panels(request, area=None):
    return {
        "progress": dashboard.order_progress(user=request.user, site=request.site),
        "wip": dashboard.wip_by_work_centre(user=request.user, site=request.site, area=area),
    }


@guarded
def board(request):
    """The supervisor's landing page: a tile per machine of the current site (or of one area or
    work centre), kept current by pushed events."""
    area, work_centre = _drill(request)
    tiles = dashboard.equipment_tiles(user=request.user, site=request.site, area=area, work_centre=work_centre)
    context = {
        "groups": _grouped(tiles),
        "tile_count": len(tiles),
        **_tile_context(tiles),
        "states": _state_counts(tiles),
        "area": area,
        "work_centre": work_centre,
        "areas": dashboard.area_list(user=request.user, site=request.site),
        "centres": dashboard.work_centre_choices(user=request.user, site=request.site, area=area),
        **_board_panels(request, area),
    }
    return render(request, "mes/board/board.html", context)


def _state_counts(tiles):
    from mes.models import EquipmentState

    counts = dict.fromkeys(EquipmentState.values, 0)
    for tile in tiles:
        counts[tile["state"]] += 1
    return [(value, label, counts[value]) for value, label in EquipmentState.choices]


@guarded
def board_tile(request, code):
    """One machine's tile, re-fetched by the dashboard when an event about it arrives."""
    machine = get_object_or_404(plant.equipment_list(user=request.user).filter(site=request.site), code=code)
    (tile,) = dashboard.equipment_tiles(user=request.user, site=request.site, equipment=machine)
    return render(request, "mes/board/_tile.html", {"tile": tile, **_tile_context([tile])})


@guarded
def board_panels(request):
    """The orders and WIP panels, re-fetched when a work order or operation changes."""
    area, _work_centre = _drill(request)
    return render(request, "mes/board/_panels.html", _board_panels(request, area))


@guarded
def equipment_page(request, code):
    """A machine: its state now and over the last 24 hours or the current shift, its current
    operation, OEE today and per shift, recent production reports and stops."""
    machine = get_object_or_404(
        plant.equipment_list(user=request.user).select_related("work_centre__area", "work_centre__calendar"),
        code=code,
    )
    now = timezone.now()
    tz = machine.site.tzinfo
    today = now.astimezone(tz).date()
    shifts = _shifts_today(machine, today, now)
    window = request.GET.get("window", "24h")
    start, end = now - timedelta(hours=24), now
    if window == "shift" and shifts:
        current = next((s for s in shifts if s["start"] <= now < s["end"]), shifts[-1])
        start, end = current["start"], min(current["end"], now)
    else:
        window = "24h"
    timeline = dashboard.state_timeline(equipment=machine, start=start, end=end, now=now)
    (tile,) = dashboard.equipment_tiles(user=request.user, site=machine.site, equipment=machine, now=now)
    context = {
        "machine": machine,
        "tile": tile,
        **_tile_context([tile]),
        "window": window,
        "has_shifts": bool(shifts),
        "timeline_chart": charts.timeline_figure(timeline, start=start, end=end),
        "stops": [part for part in reversed(timeline) if part["state"] != "running"][:15],
        "today": tile["figures"],
        "shifts": shifts,
        "reports": ProductionReport.objects.filter(equipment=machine)
        .select_related("work_order__item", "operation", "user", "scrap_reason")
        .order_by("-reported_at")[:15],
        "panels": EQUIPMENT_PANELS,
    }
    return render(request, "mes/board/equipment.html", context)


def _shifts_today(machine, today, now):
    calendar = machine.work_centre.calendar
    if calendar is None or calendar.holidays.filter(date=today).exists():
        return []
    rows = []
    for shift in calendar.shifts.prefetch_related("breaks").order_by("start"):
        if today.weekday() not in (shift.weekdays or []):
            continue
        start, end = oee.shift_window(shift, today, machine.site.tzinfo)
        figures = oee.oee(equipment=machine, start=start, end=min(end, now), now=now) if start < now else None
        rows.append({"shift": shift, "start": start, "end": end, "figures": figures})
    return rows


@guarded
def oee_page(request):
    """OEE per equipment, work centre or site, per shift or day, with the six big losses and the
    downtime Pareto of the selection."""
    centres = dashboard.work_centre_choices(user=request.user, site=request.site)
    form, choice = bound_or_default(OEEForm, request.GET, days=7, work_centres=centres)
    machines = dashboard.dashboard_equipment(user=request.user, site=request.site)
    if choice.get("work_centre"):
        machines = machines.filter(work_centre__code=choice["work_centre"])
    machines = list(machines)
    rows = oee.oee_table(
        equipment=machines, scope=choice["scope"], period=choice["period"], first=choice["first"], last=choice["last"]
    )
    tz = request.site.tzinfo
    start = oee.day_window(choice["first"], tz)[0]
    end = oee.day_window(choice["last"], tz)[1]
    pareto = oee.downtime_pareto(equipment=machines, start=start, end=min(end, timezone.now()))
    context = {
        "form": form,
        "choice": choice,
        "rows": rows,
        "total": oee.combine(rows) if rows else None,
        "loss_rows": _loss_rows(rows),
        "pareto": pareto,
        "charts": charts.oee_figures(rows, pareto),
    }
    return render(request, "mes/board/oee.html", context)


def _loss_rows(rows):
    if not rows:
        return []
    total = oee.combine(rows)
    labels = charts.loss_labels()
    planned = total["planned_seconds"]
    return [
        {
            "key": key,
            "label": labels[key],
            "hours": total["losses"][key] / 3600,
            "share": total["losses"][key] / planned if planned else None,
        }
        for key in oee.LOSSES
    ]


@guarded
def kpi_page(request):
    """WIP, order cycle time, on-time completion and first-pass yield per day, week or month."""
    form, choice = bound_or_default(KPIForm, request.GET, days=56)
    table = kpis.production_kpis(
        user=request.user, site=request.site, period=choice["period"], first=choice["first"], last=choice["last"]
    )
    context = {
        "form": form,
        "choice": choice,
        "rows": table.astype(object).where(table.notna(), None).to_dict("records"),
        "charts": kpis.kpi_figures(table),
    }
    return render(request, "mes/board/kpis.html", context)
