"""Shewhart control charts (X-bar-R, X-bar-S, I-MR, p, np, c, u) computed for a whole data set
at once with numpy/pandas: phase I (limits from the first K subgroups) and phase II (those
limits applied to every later subgroup), Nelson rules on the primary chart, and capability.

Formulas (Montgomery, Introduction to Statistical Quality Control, ch. 6 and 7), with sigma
estimated from the phase-I subgroups:

- X-bar-R: sigma = mean(R_i / d2(n_i)); X-bar-S: sigma = mean(s_i / c4(n_i)) (R-bar/d2 and
  S-bar/c4 when all subgroups have the same size); the centre is the grand mean of the phase-I
  observations and each subgroup's limits are centre +/- 3 sigma / sqrt(n_i).
  R chart: d2(n) sigma +/- 3 d3(n) sigma; S chart: c4(n) sigma +/- 3 sqrt(1 - c4(n)^2) sigma.
- I-MR: sigma = MR-bar / d2(2) over the phase-I moving ranges; MR chart centre MR-bar, limits
  D3(2) and D4(2) times MR-bar. The first point has no moving range.
- p: p-bar = sum(defectives) / sum(sizes), sigma_i = sqrt(p-bar (1 - p-bar) / n_i);
  np: centre n_i p-bar, sigma_i = sqrt(n_i p-bar (1 - p-bar)); c: centre c-bar, sigma sqrt(c-bar);
  u: u-bar = sum(defects) / sum(units), sigma_i = sqrt(u-bar / n_i).

A lower limit below zero is shown as zero for quantities that cannot be negative (counts,
ranges, standard deviations, and measurements when every one of them is non-negative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import constants, rules
from .capability import Capability, capability
from .errors import SpcDataError

VARIABLES_CHARTS = ("xbar_r", "xbar_s", "imr")
ATTRIBUTE_CHARTS = ("p", "np", "c", "u")
CHARTS = VARIABLES_CHARTS + ATTRIBUTE_CHARTS
SECONDARY_NAMES = {"xbar_r": "R", "xbar_s": "S", "imr": "MR"}


@dataclass
class SecondaryChart:
    name: str
    points: np.ndarray
    center: np.ndarray
    ucl: np.ndarray
    lcl: np.ndarray


@dataclass
class ChartResult:
    """One analysed chart. Arrays hold one entry per subgroup, in the order of the data."""

    chart: str
    labels: np.ndarray
    sizes: np.ndarray
    phase1: int
    points: np.ndarray
    center: np.ndarray
    sigma: np.ndarray
    ucl: np.ndarray
    lcl: np.ndarray
    secondary: SecondaryChart | None
    violations: list[dict]
    capability: Capability | None
    rules: tuple[int, ...] = field(default=rules.ALL_RULES)

    @property
    def subgroups(self) -> int:
        return int(self.points.shape[0])

    def _limits(self) -> list[dict]:
        """One `{"ucl", "lcl"}` per subgroup. Equal limits (equal subgroup sizes) share one dict,
        which serialises the same and costs nothing to build for 200,000 subgroups."""
        count = self.ucl.shape[0]
        if count and (self.ucl == self.ucl[0]).all() and (self.lcl == self.lcl[0]).all():
            return [{"ucl": float(self.ucl[0]), "lcl": float(self.lcl[0])}] * count
        return [{"ucl": high, "lcl": low} for high, low in zip(self.ucl.tolist(), self.lcl.tolist(), strict=True)]

    def to_dict(self) -> dict:
        """The result in the `spc_analyze --json` shape (plain floats; a limit that varies by
        subgroup is a list, one per subgroup)."""
        return {
            "chart": self.chart,
            "center": _scalar_or_list(self.center),
            "ucl": _scalar_or_list(self.ucl),
            "lcl": _scalar_or_list(self.lcl),
            "points": _floats(self.points),
            "limits": self._limits(),
            "secondary": None
            if self.secondary is None
            else {
                "center": _scalar_or_list(self.secondary.center),
                "ucl": _scalar_or_list(self.secondary.ucl),
                "lcl": _scalar_or_list(self.secondary.lcl),
                "points": _floats(self.secondary.points),
            },
            "violations": self.violations,
            "capability": None if self.capability is None else capability_dict(self.capability),
        }


def capability_dict(result: Capability) -> dict:
    normality = result.normality
    return {
        "cp": _finite(result.cp),
        "cpk": _finite(result.cpk),
        "pp": _finite(result.pp),
        "ppk": _finite(result.ppk),
        "mean": _finite(result.mean),
        "sigma_within": _finite(result.sigma_within),
        "sigma_overall": _finite(result.sigma_overall),
        "normality": None
        if normality is None
        else {"test": "anderson_darling", "statistic": normality.statistic, "p_value": normality.p_value},
    }


def _finite(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _floats(values: np.ndarray) -> list:
    listed = values.tolist()
    if np.isfinite(values).all():
        return listed
    return [value if math.isfinite(value) else None for value in listed]


def _scalar_or_list(values: np.ndarray):
    if values.shape[0] and (values == values[0]).all():
        return _finite(values[0])
    return _floats(values)


# --- validation ---------------------------------------------------------------------------


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _numbers(values, field_name: str) -> np.ndarray:
    """A float array; SpcDataError naming the first row that is missing or not a finite number."""
    array = np.asarray(values)
    if array.dtype.kind not in "fiub":
        converted = pd.to_numeric(pd.Series(array, dtype=object), errors="coerce").to_numpy(dtype=float)
        bad = np.isnan(converted) & pd.notna(pd.Series(array, dtype=object)).to_numpy()
        if bad.any():
            row = _first(bad)
            raise SpcDataError("not_a_number", field=field_name, row=row, value=str(array[row]))
        array = converted
    array = array.astype(float, copy=False)
    missing = ~np.isfinite(array)
    if missing.any():
        row = _first(missing)
        code = "missing_value" if np.isnan(array[row]) else "not_finite"
        raise SpcDataError(code, field=field_name, row=row)
    return array


def _factorize(subgroups) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..m-1 for the subgroup labels, in order of first appearance, and the labels."""
    array = subgroups.to_numpy() if isinstance(subgroups, pd.Series) else np.asarray(subgroups)
    if array.dtype.kind in "iu" and array.ndim == 1 and array.shape[0]:
        change = array[1:] != array[:-1]
        if (array[1:] >= array[:-1]).all():  # sorted numbers: the common case, without hashing
            codes = np.concatenate(([0], np.cumsum(change)))
            return codes, array[np.concatenate(([True], change))]
    codes, labels = pd.factorize(pd.Series(subgroups) if not isinstance(subgroups, pd.Series) else subgroups)
    if codes.shape[0] and codes.min() < 0:
        raise SpcDataError("missing_subgroup", field="subgroup", row=_first(codes < 0))
    if isinstance(labels, pd.Index):
        labels = labels.to_numpy()
    return codes, np.asarray(labels)


def _phase1(phase1: int | None, available: int, minimum: int) -> int:
    if available == 0:
        raise SpcDataError("no_data")
    if phase1 is None:
        phase1 = available
    if isinstance(phase1, bool) or int(phase1) != phase1:
        raise SpcDataError("phase1_not_integer", field="phase1", value=str(phase1))
    phase1 = int(phase1)
    if not minimum <= phase1 <= available:
        raise SpcDataError("phase1_out_of_range", field="phase1", value=phase1, minimum=minimum, maximum=available)
    return phase1


def _specification(lsl, usl) -> tuple[float | None, float | None]:
    limits = []
    for name, value in (("lsl", lsl), ("usl", usl)):
        if value is not None:
            value = float(value)
            if not math.isfinite(value):
                raise SpcDataError("not_finite", field=name)
        limits.append(value)
    low, high = limits
    if low is not None and high is not None and low >= high:
        raise SpcDataError("lsl_not_below_usl", field="lsl", lsl=low, usl=high)
    return low, high


def _rules(chosen) -> tuple[int, ...]:
    if chosen is None:
        return rules.ALL_RULES
    picked = []
    for rule in chosen:
        if isinstance(rule, bool) or rule not in rules.RULES:
            raise SpcDataError("unknown_rule", field="rules", value=str(rule))
        if rule not in picked:
            picked.append(int(rule))
    return tuple(sorted(picked))


# --- charts -------------------------------------------------------------------------------


def variables_chart(
    subgroups,
    values,
    *,
    chart: str,
    phase1: int | None = None,
    subgroup_size: int | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    rules_to_check=None,
) -> ChartResult:
    """X-bar-R, X-bar-S or I-MR from one value per measurement and its subgroup label.

    Subgroups are taken in the order they first appear; the rows of one subgroup need not be
    adjacent. `subgroup_size`, when given, is checked against every subgroup.
    """
    if chart not in VARIABLES_CHARTS:
        raise SpcDataError("unknown_chart", field="chart", value=str(chart))
    chosen = _rules(rules_to_check)
    low, high = _specification(lsl, usl)
    values = _numbers(values, "value")
    codes, labels = _factorize(subgroups)
    if codes.shape[0] != values.shape[0]:
        raise SpcDataError("length_mismatch", field="value")
    count = labels.shape[0]
    sizes = np.bincount(codes, minlength=count)
    ordered = values[np.argsort(codes, kind="stable")] if codes.shape[0] > 1 and (np.diff(codes) < 0).any() else values
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))

    if chart == "imr":
        if subgroup_size not in (None, 1):
            raise SpcDataError("imr_subgroup_size", field="subgroup_size", value=subgroup_size)
        if count and sizes.max() > 1:
            index = int(np.argmax(sizes > 1))
            raise SpcDataError(
                "imr_one_value",
                field="subgroup",
                row=_first(codes == index),
                subgroup=str(labels[index]),
                size=int(sizes[index]),
            )
        return _individuals(labels, ordered, _phase1(phase1, count, 2), low, high, chosen)

    if count and sizes.min() < 2:
        index = int(np.argmax(sizes < 2))
        raise SpcDataError(
            "subgroup_of_one", field="subgroup", row=_first(codes == index), subgroup=str(labels[index]), chart=chart
        )
    if count and sizes.max() > constants.MAX_SUBGROUP:
        index = int(np.argmax(sizes > constants.MAX_SUBGROUP))
        raise SpcDataError(
            "subgroup_too_large",
            field="subgroup",
            subgroup=str(labels[index]),
            size=int(sizes[index]),
            maximum=constants.MAX_SUBGROUP,
        )
    if subgroup_size is not None:
        wrong = sizes != subgroup_size
        if wrong.any():
            index = _first(wrong)
            raise SpcDataError(
                "subgroup_size_mismatch",
                field="subgroup_size",
                row=_first(codes == index),
                subgroup=str(labels[index]),
                size=int(sizes[index]),
                expected=int(subgroup_size),
            )
    k = _phase1(phase1, count, 1)

    sums = np.add.reduceat(ordered, starts)
    means = sums / sizes
    baseline = int(sizes[:k].sum())
    grand = float(sums[:k].sum() / baseline)
    if chart == "xbar_r":
        spread = np.maximum.reduceat(ordered, starts) - np.minimum.reduceat(ordered, starts)
        unbias = constants.d2_array(sizes)
        sigma = float((spread[:k] / unbias[:k]).mean())
        width = constants.d3_array(sizes)
    else:
        deviation = ordered - np.repeat(means, sizes)
        spread = np.sqrt(np.add.reduceat(deviation * deviation, starts) / (sizes - 1))
        unbias = constants.c4_array(sizes)
        sigma = float((spread[:k] / unbias[:k]).mean())
        width = np.sqrt(1.0 - unbias * unbias)

    point_sigma = sigma / np.sqrt(sizes)
    center = np.full(count, grand)
    secondary = SecondaryChart(
        name=SECONDARY_NAMES[chart],
        points=spread,
        center=unbias * sigma,
        ucl=(unbias + 3.0 * width) * sigma,
        lcl=np.maximum((unbias - 3.0 * width) * sigma, 0.0),
    )
    return _finish(
        chart=chart,
        labels=labels,
        sizes=sizes,
        phase1=k,
        points=means,
        center=center,
        sigma=point_sigma,
        non_negative=bool(ordered.min() >= 0) if ordered.shape[0] else True,
        secondary=secondary,
        observations=ordered[:baseline],
        sigma_within=sigma,
        lsl=low,
        usl=high,
        chosen=chosen,
    )


def _individuals(labels, values, k, low, high, chosen) -> ChartResult:
    count = values.shape[0]
    moving = np.abs(np.diff(values))
    mr_bar = float(moving[: k - 1].mean())
    sigma = mr_bar / constants.d2(2)
    grand = float(values[:k].mean())
    secondary = SecondaryChart(
        name="MR",
        points=np.concatenate(([np.nan], moving)),
        center=np.full(count, mr_bar),
        ucl=np.full(count, constants.D4(2) * mr_bar),
        lcl=np.full(count, constants.D3(2) * mr_bar),
    )
    return _finish(
        chart="imr",
        labels=labels,
        sizes=np.ones(count, dtype=np.int64),
        phase1=k,
        points=values,
        center=np.full(count, grand),
        sigma=np.full(count, sigma),
        non_negative=bool(values.min() >= 0),
        secondary=secondary,
        observations=values[:k],
        sigma_within=sigma,
        lsl=low,
        usl=high,
        chosen=chosen,
    )


def attribute_chart(
    subgroups, counts, sizes, *, chart: str, phase1: int | None = None, rules_to_check=None
) -> ChartResult:
    """p, np, c or u chart from one row per subgroup: the count of nonconforming units (p, np)
    or of nonconformities (c, u) and the sample size (units inspected; inspection units for u)."""
    if chart not in ATTRIBUTE_CHARTS:
        raise SpcDataError("unknown_chart", field="chart", value=str(chart))
    chosen = _rules(rules_to_check)
    counts = _numbers(counts, "count")
    sizes = _numbers(sizes, "size")
    codes, labels = _factorize(subgroups)
    if not codes.shape[0] == counts.shape[0] == sizes.shape[0]:
        raise SpcDataError("length_mismatch", field="count")
    if labels.shape[0] != codes.shape[0]:
        repeated = pd.Series(codes).duplicated().to_numpy()
        row = _first(repeated)
        first_row = _first(codes == codes[row])
        raise SpcDataError(
            "duplicate_subgroup", field="subgroup", row=row, subgroup=str(labels[codes[row]]), first_row=first_row
        )
    if (counts < 0).any():
        raise SpcDataError("negative_count", field="count", row=_first(counts < 0))
    if (sizes <= 0).any():
        raise SpcDataError("size_not_positive", field="size", row=_first(sizes <= 0))
    if chart in ("p", "np") and (counts > sizes).any():
        raise SpcDataError("count_above_size", field="count", row=_first(counts > sizes))
    if chart == "c" and (sizes != sizes[0]).any():
        raise SpcDataError("c_unequal_sizes", field="size", row=_first(sizes != sizes[0]))
    count = counts.shape[0]
    k = _phase1(phase1, count, 1)

    if chart in ("p", "np"):
        rate = float(counts[:k].sum() / sizes[:k].sum())
        spread = np.sqrt(rate * (1.0 - rate) / sizes)
        if chart == "p":
            points, center, sigma, ceiling = counts / sizes, np.full(count, rate), spread, 1.0
        else:
            points, center, sigma, ceiling = counts, sizes * rate, sizes * spread, sizes
    elif chart == "c":
        mean = float(counts[:k].mean())
        points, center, sigma, ceiling = counts, np.full(count, mean), np.full(count, math.sqrt(mean)), np.inf
    else:
        rate = float(counts[:k].sum() / sizes[:k].sum())
        points, center, sigma, ceiling = counts / sizes, np.full(count, rate), np.sqrt(rate / sizes), np.inf
    return _finish(
        chart=chart,
        labels=labels,
        sizes=sizes,
        phase1=k,
        points=points,
        center=center,
        sigma=sigma,
        non_negative=True,
        ceiling=ceiling,
        secondary=None,
        observations=None,
        sigma_within=None,
        lsl=None,
        usl=None,
        chosen=chosen,
    )


def _finish(
    *,
    chart,
    labels,
    sizes,
    phase1,
    points,
    center,
    sigma,
    non_negative,
    secondary,
    observations,
    sigma_within,
    lsl,
    usl,
    chosen,
    ceiling=np.inf,
) -> ChartResult:
    ucl = np.minimum(center + 3.0 * sigma, ceiling)
    lcl = center - 3.0 * sigma
    if non_negative:
        lcl = np.maximum(lcl, 0.0)
    found = rules.violations(points, center, sigma, chosen)
    result = None
    if observations is not None and (lsl is not None or usl is not None):
        result = capability(observations, sigma_within=sigma_within, lsl=lsl, usl=usl)
    return ChartResult(
        chart=chart,
        labels=labels,
        sizes=sizes,
        phase1=phase1,
        points=points,
        center=center,
        sigma=sigma,
        ucl=ucl,
        lcl=lcl,
        secondary=secondary,
        violations=found,
        capability=result,
        rules=chosen,
    )


def analyze(
    chart: str,
    *,
    subgroups,
    values=None,
    counts=None,
    sizes=None,
    phase1: int | None = None,
    subgroup_size: int | None = None,
    lsl: float | None = None,
    usl: float | None = None,
    rules_to_check=None,
) -> ChartResult:
    """One entry point for every chart kind."""
    if chart in VARIABLES_CHARTS:
        return variables_chart(
            subgroups,
            values,
            chart=chart,
            phase1=phase1,
            subgroup_size=subgroup_size,
            lsl=lsl,
            usl=usl,
            rules_to_check=rules_to_check,
        )
    if chart in ATTRIBUTE_CHARTS:
        if lsl is not None or usl is not None:
            raise SpcDataError("spec_on_attribute_chart", field="lsl" if lsl is not None else "usl", chart=chart)
        if subgroup_size is not None:
            raise SpcDataError("subgroup_size_on_attribute_chart", field="subgroup_size", chart=chart)
        return attribute_chart(subgroups, counts, sizes, chart=chart, phase1=phase1, rules_to_check=rules_to_check)
    raise SpcDataError("unknown_chart", field="chart", value=str(chart))
