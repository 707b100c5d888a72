"""The machine-data part of the equipment page: live values, trends with the alerts raised on
them, and the machine's alerts with their ranked actions."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from mes.models import Alert, AlertStatus, TelemetryLatest
from mes.selectors.telemetry import telemetry_series

# Raw samples, not minute aggregates, for the live page (telemetry_series keeps raw up to 6 h).
TREND_HOURS = 2
MAX_TAGS = 6


def machine_data(machine, *, hours: int = TREND_HOURS, now=None) -> dict:
    """Latest value per tag, a trend figure (one row per tag, alert markers on their tag's row)
    and the machine's recent alerts, open first."""
    now = now or timezone.now()
    start = now - timedelta(hours=hours)
    latest = list(TelemetryLatest.objects.filter(equipment=machine).order_by("tag"))
    alerts = list(
        Alert.objects.filter(equipment=machine)
        .select_related("rule", "acknowledged_by")
        .order_by("status", "-raised_at")[:20]
    )
    alerts.sort(key=lambda a: (a.status == AlertStatus.RESOLVED, -a.raised_at.timestamp()))
    figure = _trends(machine, [row.tag for row in latest[:MAX_TAGS]], start, now, alerts) if latest else None
    return {"latest": latest, "alerts": alerts, "trend": figure, "hours": hours}


def _trends(machine, tags: list[str], start, end, alerts) -> dict | None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    tz = machine.site.tzinfo
    series = {tag: telemetry_series(equipment=machine, tag=tag, start=start, end=end) for tag in tags}
    tags = [tag for tag in tags if series[tag]["points"]]
    if not tags:
        return None
    figure = make_subplots(rows=len(tags), cols=1, shared_xaxes=True, vertical_spacing=0.04, subplot_titles=tags)
    for row, tag in enumerate(tags, start=1):
        points = series[tag]["points"]
        times = [timezone.localtime(p["ts"], tz).isoformat() for p in points]
        values = [p.get("value", p.get("avg")) for p in points]
        figure.add_trace(
            go.Scatter(
                x=times,
                y=values,
                mode="lines" if len(points) > 60 else "lines+markers",  # a few points stay visible
                name=tag,
                line={"width": 1.5, "color": "#2563eb"},
            ),
            row=row,
            col=1,
        )
        marks = [a for a in alerts if a.rule.tag == tag and a.raised_at >= start]
        if marks:
            figure.add_trace(
                go.Scatter(
                    x=[timezone.localtime(a.raised_at, tz).isoformat() for a in marks],
                    y=[a.value for a in marks],
                    mode="markers",
                    name=_("Alert"),
                    marker={"symbol": "triangle-up", "size": 12, "color": "#dc2626"},
                    text=[a.message for a in marks],
                    hovertemplate="%{text}<extra></extra>",
                    showlegend=False,
                ),
                row=row,
                col=1,
            )
    figure.update_layout(
        height=150 * len(tags) + 60,
        margin={"l": 50, "r": 20, "t": 30, "b": 30},
        showlegend=False,
        plot_bgcolor="#ffffff",
    )
    return json.loads(figure.to_json())
