"""Production KPIs per period (local day, ISO week or month at the site), with pandas:

- WIP: work orders released and not yet completed at the end of the period (cancelled orders
  are left out: they carry no cancellation time);
- completed: work orders completed in the period;
- order cycle time: mean hours from release to completion of the orders completed in the period;
- on-time completion rate: share of those completed no later than their due date;
- first-pass yield: good pieces / all pieces reported in the period (good + scrap). The system
  has no rework, so a scrapped piece never passes later and this is the first-pass share.
"""

from datetime import date, datetime, timedelta

import pandas as pd

from mes.models import ProductionReport, WorkOrder, WorkOrderStatus

PERIODS = {"day": "D", "week": "W-SUN", "month": "M"}


def first_pass_yield(good, scrap) -> float | None:
    """The one first-pass yield rule: good / (good + scrap); None when nothing was reported."""
    total = good + scrap
    return float(good) / float(total) if total else None


def reported_quantities(*, user, site, start, end, by: tuple[str, ...] = ()):
    """Good and scrap reported at `site` in [`start`, `end`) summed per `by` (report fields or
    paths: "work_order__item", "operation__work_centre", "scrap_reason"), in one grouped query;
    rows carry `good_total`, `scrap_total` and `scrap_cost` (scrap × the made item's standard
    cost, summed report by report)."""
    from django.db.models import DecimalField, F, Sum

    return (
        ProductionReport.objects.for_user(user)
        .filter(site=site, reported_at__gte=start, reported_at__lt=end)
        .values(*by)
        .annotate(
            good_total=Sum("good"),
            scrap_total=Sum("scrap"),
            scrap_cost=Sum(
                F("scrap") * F("work_order__item__standard_cost"),
                output_field=DecimalField(max_digits=30, decimal_places=8),
            ),
        )
        .order_by()
    )


COLUMNS = ["period", "start", "end", "wip", "completed", "cycle_hours", "on_time_rate", "first_pass_yield"]


def _bounds(period: str, first: date, last: date, tz) -> pd.DataFrame:
    """One row per period overlapping `first`..`last`: its label and local start/end."""
    periods = pd.period_range(first, last, freq=PERIODS[period])
    return pd.DataFrame(
        {
            "period": [str(p) if period != "week" else p.start_time.strftime("%G-W%V") for p in periods],
            "start": [datetime.combine(p.start_time.date(), datetime.min.time()).replace(tzinfo=tz) for p in periods],
            "end": [
                datetime.combine(p.end_time.date() + timedelta(days=1), datetime.min.time()).replace(tzinfo=tz)
                for p in periods
            ],
        }
    )


def production_kpis(*, user, site, period: str = "day", first: date, last: date) -> pd.DataFrame:
    """The KPIs of `site` per `period` (day, week or month) from `first` to `last`: columns
    period, start, end, wip, completed, cycle_hours, on_time_rate, first_pass_yield (None where
    the period has nothing to measure)."""
    tz = site.tzinfo
    frame = _bounds(period, first, last, tz)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    start, end = frame["start"].min(), frame["end"].max()
    orders = pd.DataFrame.from_records(
        WorkOrder.objects.for_user(user)
        .filter(site=site, released_at__isnull=False, released_at__lt=end)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .exclude(completed_at__lt=start)
        .values_list("released_at", "completed_at", "due"),
        columns=["released_at", "completed_at", "due"],
    )
    reports = pd.DataFrame.from_records(
        ProductionReport.objects.for_user(user)
        .filter(site=site, reported_at__gte=start, reported_at__lt=end)
        .values_list("reported_at", "good", "scrap"),
        columns=["reported_at", "good", "scrap"],
    )
    rows = []
    for bound in frame.itertuples(index=False):
        row = {"period": bound.period, "start": bound.start, "end": bound.end}
        if orders.empty:
            row |= {"wip": 0, "completed": 0, "cycle_hours": None, "on_time_rate": None}
        else:
            released = orders["released_at"] < bound.end
            still_open = orders["completed_at"].isna() | (orders["completed_at"] >= bound.end)
            done = orders[(orders["completed_at"] >= bound.start) & (orders["completed_at"] < bound.end)]
            row["wip"] = int((released & still_open).sum())
            row["completed"] = len(done)
            if len(done):
                hours = (done["completed_at"] - done["released_at"]).dt.total_seconds() / 3600
                row["cycle_hours"] = float(hours.mean())
                row["on_time_rate"] = float((done["completed_at"] <= done["due"]).mean())
            else:
                row["cycle_hours"] = row["on_time_rate"] = None
        if reports.empty:
            row["first_pass_yield"] = None
        else:
            inside = reports[(reports["reported_at"] >= bound.start) & (reports["reported_at"] < bound.end)]
            row["first_pass_yield"] = first_pass_yield(float(inside["good"].sum()), float(inside["scrap"].sum()))
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def kpi_figures(table: pd.DataFrame) -> dict[str, dict]:
    """The KPI page's charts (plotly figure dicts): WIP and completions, cycle time, on-time
    rate and first-pass yield per period."""
    import json

    import plotly.graph_objects as go
    from django.utils.translation import gettext as _

    layout = {"margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "template": "plotly_white", "height": 320}
    x = list(table["period"])

    def clean(values):
        return [None if pd.isna(v) else v for v in values]

    figures = {
        "wip": go.Figure(
            [
                go.Bar(x=x, y=list(table["wip"]), name=_("WIP (open orders)"), marker_color="#2563eb"),
                go.Bar(x=x, y=list(table["completed"]), name=_("Completed"), marker_color="#059669"),
            ],
            layout={**layout, "title": _("WIP and completed orders"), "barmode": "group"},
        ),
        "cycle": go.Figure(
            go.Scatter(x=x, y=clean(table["cycle_hours"]), mode="lines+markers", marker_color="#d97706"),
            layout={**layout, "title": _("Order cycle time (hours)"), "yaxis": {"rangemode": "tozero"}},
        ),
        "rates": go.Figure(
            [
                go.Scatter(x=x, y=clean(table["on_time_rate"]), mode="lines+markers", name=_("On-time completion")),
                go.Scatter(x=x, y=clean(table["first_pass_yield"]), mode="lines+markers", name=_("First-pass yield")),
            ],
            layout={
                **layout,
                "title": _("On-time completion and first-pass yield"),
                "yaxis": {"tickformat": ".0%", "range": [0, 1.05]},
            },
        ),
    }
    return {name: json.loads(figure.to_json()) for name, figure in figures.items()}
