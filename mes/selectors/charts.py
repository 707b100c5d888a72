"""Plotly figures of the OEE and equipment pages, as dicts the pages hand to static/js (drawn with
the vendored plotly.js: no CDN, no inline script)."""

import json

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from mes.models import EquipmentState
from mes.selectors.oee import LOSSES, combine

STATE_COLOURS = {
    EquipmentState.RUNNING: "#16a34a",
    EquipmentState.IDLE: "#eab308",
    EquipmentState.DOWN: "#dc2626",
    EquipmentState.SETUP: "#2563eb",
    EquipmentState.MAINTENANCE: "#9333ea",
    EquipmentState.OFFLINE: "#6b7280",
}
LAYOUT = {"margin": {"l": 60, "r": 20, "t": 50, "b": 50}, "template": "plotly_white", "height": 340}


def loss_labels() -> dict[str, str]:
    return {
        "breakdowns": _("Breakdowns"),
        "setup_adjustment": _("Setup and adjustment"),
        "small_stops": _("Small stops"),
        "reduced_speed": _("Reduced speed"),
        "startup_rejects": _("Startup rejects"),
        "production_rejects": _("Production rejects"),
        "idle": _("Idle (no work)"),
    }


def _figure(figure) -> dict:
    return json.loads(figure.to_json())


def oee_frame(rows: list[dict]) -> pd.DataFrame:
    """The OEE table's rows as a frame with a period label (day, or day and shift)."""
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["label"] = frame["day"].astype(str) + frame["shift"].map(lambda s: f" {s}" if s else "")
    return frame


def oee_figures(rows: list[dict], pareto: list[dict]) -> dict[str, dict]:
    """The OEE page's charts: OEE per period and scope code, the six big losses of the whole
    selection in hours, and the downtime Pareto."""
    import plotly.graph_objects as go

    figures = {}
    frame = oee_frame(rows)
    top = max([1.0, *(row["oee"] for row in rows if row["oee"] is not None)])
    trend = go.Figure(layout={**LAYOUT, "title": _("OEE"), "yaxis": {"tickformat": ".0%", "range": [0, top * 1.05]}})
    if not frame.empty:
        for code, part in frame.groupby("code", sort=True):
            trend.add_trace(
                go.Scatter(
                    x=list(part["label"]),
                    y=[None if pd.isna(v) else v for v in part["oee"]],
                    mode="lines+markers",
                    name=str(code),
                )
            )
    figures["trend"] = _figure(trend)

    total = combine(rows) if rows else None
    labels = loss_labels()
    hours = [total["losses"][key] / 3600 if total else 0 for key in LOSSES]
    figures["losses"] = _figure(
        go.Figure(
            go.Bar(
                x=hours,
                y=[labels[key] for key in LOSSES],
                orientation="h",
                marker_color=["#dc2626", "#2563eb", "#eab308", "#f97316", "#9333ea", "#be185d", "#6b7280"],
                hovertemplate="%{y}: %{x:.2f} h<extra></extra>",
            ),
            layout={
                **LAYOUT,
                "title": _("Six big losses (hours)"),
                "yaxis": {"autorange": "reversed"},
                "margin": {**LAYOUT["margin"], "l": 160},
            },
        )
    )
    names = [row["name"] for row in pareto]
    figures["pareto"] = _figure(
        go.Figure(
            [
                go.Bar(x=names, y=[row["seconds"] / 3600 for row in pareto], name=_("Hours"), marker_color="#dc2626"),
                go.Scatter(
                    x=names,
                    y=[row["cumulative"] for row in pareto],
                    name=_("Cumulative"),
                    yaxis="y2",
                    mode="lines+markers",
                    marker_color="#1c2430",
                ),
            ],
            layout={
                **LAYOUT,
                "title": _("Downtime by reason (Pareto)"),
                "yaxis": {"title": _("Hours"), "rangemode": "tozero"},
                "yaxis2": {"overlaying": "y", "side": "right", "tickformat": ".0%", "range": [0, 1.05]},
                "showlegend": False,
            },
        )
    )
    return figures


def _naive(moment, tz) -> str:
    return moment.astimezone(tz).replace(tzinfo=None).isoformat()


def timeline_figure(timeline: list[dict], *, start, end) -> dict:
    """The equipment page's state timeline: one horizontal bar per state interval, coloured by
    state, on a time axis in the current (site) time zone."""
    import plotly.graph_objects as go

    tz = timezone.get_current_timezone()
    figure = go.Figure(
        layout={
            **LAYOUT,
            "height": 220,
            "title": _("State"),
            "barmode": "overlay",
            "xaxis": {"type": "date", "range": [_naive(start, tz), _naive(end, tz)]},
            "yaxis": {"showticklabels": False},
            "legend": {"orientation": "h", "y": -0.3},
        }
    )
    seen = set()
    for part in timeline:
        reason = f" · {part['reason'].name}" if part["reason"] else ""
        figure.add_trace(
            go.Bar(
                base=[_naive(part["start"], tz)],
                x=[part["minutes"] * 60_000],
                y=[""],
                orientation="h",
                marker_color=STATE_COLOURS.get(part["state"], "#6b7280"),
                name=str(part["label"]),
                legendgroup=part["state"],
                showlegend=part["state"] not in seen,
                hovertemplate=f"{part['label']}{reason}<br>%{{base|%H:%M}} · {part['minutes']:.0f} min<extra></extra>",
            )
        )
        seen.add(part["state"])
    return _figure(figure)
