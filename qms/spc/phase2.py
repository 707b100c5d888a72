"""Phase II: a chart's points judged against limits fixed earlier from a phase I baseline.

`apply_limits` takes a chart computed over the data (phase I) and puts stored process
parameters in place of the data's own: the centre and sigma within for variables charts, the
average rate (p-bar, c-bar, u-bar) for attribute charts, from which each subgroup's limits
follow by its size (the same formulas as `charts.py`). The Nelson rules are evaluated again on
those zones; capability stays that of the observations shown.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from . import constants, rules
from .charts import ChartResult, SecondaryChart


def point_zones(chart: str, sizes: np.ndarray, *, center: float, sigma: float | None):
    """Per-subgroup centre, sigma and ceiling of the primary chart for the process parameters."""
    sizes = np.asarray(sizes, dtype=float)
    count = sizes.shape[0]
    if chart in ("xbar_r", "xbar_s", "imr"):
        return np.full(count, center), sigma / np.sqrt(sizes), np.inf
    if chart == "p":
        return np.full(count, center), np.sqrt(center * (1.0 - center) / sizes), 1.0
    if chart == "np":
        return sizes * center, np.sqrt(sizes * center * (1.0 - center)), sizes
    if chart == "c":
        return np.full(count, center), np.full(count, math.sqrt(center)), np.inf
    if chart == "u":
        return np.full(count, center), np.sqrt(center / sizes), np.inf
    raise ValueError(chart)


def secondary_limits(chart: str, sizes: np.ndarray, sigma: float):
    """Centre, UCL and LCL of the R, S or MR chart for sigma within."""
    sizes = np.asarray(sizes)
    if chart == "imr":
        sizes = np.full(sizes.shape[0], 2)
    if chart == "xbar_s":
        unbias = constants.c4_array(sizes)
        width = np.sqrt(1.0 - unbias * unbias)
    else:
        unbias, width = constants.d2_array(sizes), constants.d3_array(sizes)
    return unbias * sigma, (unbias + 3.0 * width) * sigma, np.maximum((unbias - 3.0 * width) * sigma, 0.0)


def process_parameters(result: ChartResult) -> tuple[float, float | None]:
    """The centre and sigma within that a phase I chart's limits were built from."""
    if result.chart in ("xbar_r", "xbar_s", "imr"):
        return float(result.center[0]), float(result.sigma[0] * math.sqrt(result.sizes[0]))
    if result.chart == "np":
        return float(result.center[0] / result.sizes[0]), None
    return float(result.center[0]), None


def apply_limits(result: ChartResult, *, center: float, sigma: float | None) -> ChartResult:
    """`result` with the stored limits in place of its own, and the violations against them."""
    points_center, points_sigma, ceiling = point_zones(result.chart, result.sizes, center=center, sigma=sigma)
    ucl = np.minimum(points_center + 3.0 * points_sigma, ceiling)
    lcl = points_center - 3.0 * points_sigma
    if result.chart not in ("xbar_r", "xbar_s", "imr") or (result.points >= 0).all():
        lcl = np.maximum(lcl, 0.0)
    secondary = result.secondary
    if secondary is not None and sigma is not None:
        middle, high, low = secondary_limits(result.chart, result.sizes, sigma)
        secondary = SecondaryChart(name=secondary.name, points=secondary.points, center=middle, ucl=high, lcl=low)
    found = rules.violations(result.points, points_center, points_sigma, result.rules)
    return replace(
        result,
        center=points_center,
        sigma=points_sigma,
        ucl=ucl,
        lcl=lcl,
        secondary=secondary,
        violations=found,
        phase1=0,
    )
