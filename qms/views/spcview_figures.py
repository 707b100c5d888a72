"""Plotly figures (plain dicts, drawn by static/js/app.js) for the SPC chart page: the control
chart with its ±1σ/±2σ/±3σ zones shaded and the violations marked, the R/S/MR chart, and the
capability histogram with the normal curve and the specification limits."""

from __future__ import annotations

import math

import numpy as np
from django.utils.translation import gettext as _

from qms.services.spc import RULE_LABELS
from qms.services.spc_charts import MeasurementChart

ZONES = ((3, "rgba(179, 38, 30, 0.10)"), (2, "rgba(168, 98, 0, 0.12)"), (1, "rgba(31, 122, 58, 0.12)"))


def _layout(title: str, **more) -> dict:
    return {
        "title": {"text": title, "font": {"size": 15}},
        "margin": {"l": 56, "r": 16, "t": 40, "b": 64},
        "height": more.pop("height", 340),
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.25},
        "xaxis": {"type": "category", "automargin": True, "tickangle": -45, "nticks": 20},
        **more,
    }


def _floats(values) -> list:
    return [None if v is None or not math.isfinite(v) else round(float(v), 9) for v in np.asarray(values, dtype=float)]


def control_figure(chart: MeasurementChart) -> dict:
    result = chart.result
    labels = [str(label) for label in result.labels]
    traces = []
    for k, colour in ZONES:
        # zones stop at the control limits (a p chart's lower limit at zero, say)
        upper = np.minimum(result.center + k * result.sigma, result.ucl)
        lower = np.maximum(result.center - k * result.sigma, result.lcl)
        name = _("±%(k)sσ") % {"k": k}
        traces.append(
            {
                "x": labels,
                "y": _floats(upper),
                "mode": "lines",
                "line": {"width": 0},
                "hoverinfo": "skip",
                "showlegend": False,
                "legendgroup": name,
                "type": "scatter",
            }
        )
        traces.append(
            {
                "x": labels,
                "y": _floats(lower),
                "mode": "lines",
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": colour,
                "hoverinfo": "skip",
                "name": name,
                "legendgroup": name,
                "type": "scatter",
            }
        )
    traces += [
        {
            "x": labels,
            "y": _floats(result.ucl),
            "mode": "lines",
            "name": _("UCL"),
            "line": {"color": "#b3261e", "dash": "dash", "shape": "hv"},
            "type": "scatter",
        },
        {
            "x": labels,
            "y": _floats(result.center),
            "mode": "lines",
            "name": _("Centre"),
            "line": {"color": "#1f7a3a", "shape": "hv"},
            "type": "scatter",
        },
        {
            "x": labels,
            "y": _floats(result.lcl),
            "mode": "lines",
            "name": _("LCL"),
            "line": {"color": "#b3261e", "dash": "dash", "shape": "hv"},
            "type": "scatter",
        },
        {
            "x": labels,
            "y": _floats(result.points),
            "mode": "lines+markers",
            "name": _("Points"),
            "line": {"color": "#0b5cad"},
            "marker": {"size": 6},
            "type": "scatter",
            "hovertemplate": _("Subgroup %{x}: %{y}") + "<extra></extra>",
        },
    ]
    by_point: dict[int, list[int]] = {}
    for violation in result.violations:
        by_point.setdefault(violation["subgroup"] - 1, []).append(violation["rule"])
    if by_point:
        indexes = sorted(by_point)
        traces.append(
            {
                "x": [labels[i] for i in indexes],
                "y": _floats(result.points[indexes]),
                "mode": "markers",
                "name": _("Rule broken"),
                "marker": {"color": "#b3261e", "size": 12, "symbol": "circle-open", "line": {"width": 3}},
                "text": [
                    "<br>".join(_("Rule %(n)s: %(text)s") % {"n": n, "text": RULE_LABELS[n]} for n in by_point[i])
                    for i in indexes
                ],
                "hovertemplate": _("Subgroup %{x}: %{y}") + "<br>%{text}<extra></extra>",
                "type": "scatter",
            }
        )
    title = _("%(chart)s chart, phase %(phase)s") % {
        "chart": chart.characteristic.get_chart_display(),
        "phase": "II" if chart.phase == 2 else "I",
    }
    return {"data": traces, "layout": _layout(title)}


def secondary_figure(chart: MeasurementChart) -> dict | None:
    secondary = chart.result.secondary
    if secondary is None:
        return None
    labels = [str(label) for label in chart.result.labels]
    traces = [
        {
            "x": labels,
            "y": _floats(secondary.ucl),
            "mode": "lines",
            "name": _("UCL"),
            "line": {"color": "#b3261e", "dash": "dash", "shape": "hv"},
            "type": "scatter",
        },
        {
            "x": labels,
            "y": _floats(secondary.center),
            "mode": "lines",
            "name": _("Centre"),
            "line": {"color": "#1f7a3a", "shape": "hv"},
            "type": "scatter",
        },
        {
            "x": labels,
            "y": _floats(secondary.lcl),
            "mode": "lines",
            "name": _("LCL"),
            "line": {"color": "#b3261e", "dash": "dash", "shape": "hv"},
            "type": "scatter",
        },
        {
            "x": labels,
            "y": _floats(secondary.points),
            "mode": "lines+markers",
            "name": secondary.name,
            "line": {"color": "#0b5cad"},
            "marker": {"size": 5},
            "type": "scatter",
        },
    ]
    return {"data": traces, "layout": _layout(_("%(name)s chart") % {"name": secondary.name}, height=260)}


def histogram_figure(chart: MeasurementChart) -> dict | None:
    observations = chart.observations()
    capability = chart.result.capability
    if observations.shape[0] < 2 or capability is None:
        return None
    mean, sigma = capability.mean, capability.sigma_overall
    traces = [
        {
            "x": _floats(observations),
            "type": "histogram",
            "histnorm": "probability density",
            "name": _("Measurements"),
            "marker": {"color": "rgba(11, 92, 173, 0.55)"},
        },
    ]
    shapes = []
    low = min(float(observations.min()), *(v for v in (capability.lsl,) if v is not None))
    high = max(float(observations.max()), *(v for v in (capability.usl,) if v is not None))
    if sigma and math.isfinite(sigma) and sigma > 0:
        low, high = min(low, mean - 4 * sigma), max(high, mean + 4 * sigma)
        xs = np.linspace(low, high, 120)
        ys = np.exp(-0.5 * ((xs - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
        traces.append(
            {
                "x": _floats(xs),
                "y": _floats(ys),
                "mode": "lines",
                "name": _("Normal curve"),
                "line": {"color": "#1f7a3a"},
                "type": "scatter",
            }
        )
    for value, name in ((capability.lsl, _("LSL")), (capability.usl, _("USL"))):
        if value is None:
            continue
        shapes.append(
            {
                "type": "line",
                "x0": value,
                "x1": value,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": "#b3261e", "width": 2, "dash": "dot"},
            }
        )
        traces.append(
            {
                "x": [value],
                "y": [0],
                "mode": "markers+text",
                "text": [name],
                "textposition": "top center",
                "marker": {"color": "#b3261e", "size": 1},
                "showlegend": False,
                "type": "scatter",
                "hoverinfo": "x+text",
            }
        )
    layout = _layout(_("Capability"), height=300, shapes=shapes, bargap=0.04)
    layout["xaxis"] = {"automargin": True}
    return {"data": traces, "layout": layout}
