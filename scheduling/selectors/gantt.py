"""The Gantt chart of a version (plotly): bars by equipment or by work order, calendar gaps
shaded on the equipment view, late work in red, running work outlined."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from mes.selectors.oee import planned_time

MAX_SHADED_DAYS = 21
ON_TIME, LATE, FIXED = "#2563eb", "#dc2626", "#0f766e"


def gantt_figure(version, assignments, *, by: str = "equipment") -> dict:
    """A plotly figure (a dict) of `assignments` of `version`; `by` is "equipment" or "order"."""
    import plotly.graph_objects as go

    tz = version.site.tzinfo
    rows = list(assignments)
    figure = go.Figure()
    groups = {ON_TIME: _("On time"), LATE: _("Late"), FIXED: _("Running now")}
    for colour, label in groups.items():
        chosen = [r for r in rows if (FIXED if r.fixed else LATE if r.late else ON_TIME) == colour]
        if not chosen:
            continue
        figure.add_trace(
            go.Bar(
                name=str(label),
                orientation="h",
                y=[r.equipment.code if by == "equipment" else r.operation.work_order.number for r in chosen],
                base=[timezone.localtime(r.start, tz).isoformat() for r in chosen],
                x=[(r.end - r.start).total_seconds() * 1000 for r in chosen],
                marker={"color": colour, "line": {"color": "#0f172a", "width": 1}},
                text=[
                    f"{r.operation.work_order.number}/{r.operation.sequence}" if by == "equipment" else r.equipment.code
                    for r in chosen
                ],
                textposition="inside",
                insidetextanchor="middle",
                customdata=[
                    [
                        r.operation.work_order.number,
                        r.operation.sequence,
                        r.operation.work_order.item.code,
                        r.equipment.code,
                        timezone.localtime(r.start, tz).strftime("%Y-%m-%d %H:%M"),
                        timezone.localtime(r.end, tz).strftime("%Y-%m-%d %H:%M"),
                    ]
                    for r in chosen
                ],
                hovertemplate=(
                    "%{customdata[0]} / %{customdata[1]} · %{customdata[2]}<br>"
                    "%{customdata[3]}: %{customdata[4]} → %{customdata[5]}<extra></extra>"
                ),
            )
        )
    labels = sorted({(r.equipment.code if by == "equipment" else r.operation.work_order.number) for r in rows})
    shapes = []
    if by == "equipment" and rows:
        start = version.origin
        end = min(max(r.end for r in rows), start + timedelta(days=MAX_SHADED_DAYS))
        equipment = {r.equipment.code: r.equipment for r in rows}
        for index, code in enumerate(labels):
            windows = sorted(planned_time(equipment[code], start, end))
            if not windows and equipment[code].work_centre.calendar_id is None:
                continue
            cursor = start
            for window_start, window_end in [*windows, (end, end)]:
                if window_start > cursor:
                    shapes.append(
                        {
                            "type": "rect",
                            "xref": "x",
                            "yref": "y",
                            "x0": timezone.localtime(cursor, tz).isoformat(),
                            "x1": timezone.localtime(window_start, tz).isoformat(),
                            "y0": index - 0.5,
                            "y1": index + 0.5,
                            "fillcolor": "rgba(100,116,139,0.18)",
                            "line": {"width": 0},
                            "layer": "below",
                        }
                    )
                cursor = max(cursor, window_end)
    figure.update_layout(
        barmode="overlay",
        height=max(260, 38 * len(labels) + 120),
        margin={"l": 110, "r": 20, "t": 30, "b": 40},
        xaxis={"type": "date", "title": None},
        yaxis={"categoryorder": "array", "categoryarray": list(reversed(labels)), "title": None},
        legend={"orientation": "h", "y": 1.06, "x": 0},
        shapes=shapes,
        plot_bgcolor="#ffffff",
    )
    import json

    return json.loads(figure.to_json())
