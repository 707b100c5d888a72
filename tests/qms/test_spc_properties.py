"""Properties every chart must keep, on generated data (hypothesis)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.services import spc

SIZES = st.integers(min_value=2, max_value=8)
MEASUREMENT = st.floats(min_value=0.0, max_value=10.0, allow_nan=False, allow_infinity=False)


@st.composite
def subgrouped(draw):
    """Subgroup labels and measurements around 100 (so no lower limit is clipped at zero)."""
    count = draw(st.integers(min_value=2, max_value=12))
    sizes = draw(st.lists(SIZES, min_size=count, max_size=count))
    values = [draw(st.lists(MEASUREMENT, min_size=n, max_size=n)) for n in sizes]
    return [100.0 + v for group in values for v in group], np.repeat(np.arange(1, count + 1), sizes).tolist()


@settings(max_examples=60, deadline=None)
@given(data=subgrouped(), chart=st.sampled_from(["xbar_r", "xbar_s"]), seed=st.integers(0, 2**32 - 1))
def test_limits_do_not_depend_on_row_order_within_a_subgroup(data, chart, seed):
    values, subgroups = data
    rng = np.random.default_rng(seed)
    values, subgroups = np.array(values), np.array(subgroups)
    permuted = values.copy()
    for label in np.unique(subgroups):
        where = np.flatnonzero(subgroups == label)
        permuted[where] = values[rng.permutation(where)]
    first = spc.analyze_chart(chart=chart, subgroups=subgroups, values=values)
    second = spc.analyze_chart(chart=chart, subgroups=subgroups, values=permuted)
    assert second.ucl == pytest.approx(first.ucl, rel=1e-12, abs=1e-9)
    assert second.lcl == pytest.approx(first.lcl, rel=1e-12, abs=1e-9)
    assert second.center == pytest.approx(first.center, rel=1e-12)
    assert second.secondary.ucl == pytest.approx(first.secondary.ucl, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    data=subgrouped(),
    chart=st.sampled_from(["xbar_r", "xbar_s", "imr"]),
    shift=st.floats(min_value=-50.0, max_value=1e4, allow_nan=False),
    phase1=st.integers(min_value=2, max_value=12),
)
def test_adding_a_constant_shifts_centre_and_limits_by_it(data, chart, shift, phase1):
    values, subgroups = data
    values = np.array(values)
    if chart == "imr":
        subgroups = list(range(len(values)))
    count = len(set(subgroups))
    phase1 = min(phase1, count)
    base = spc.analyze_chart(chart=chart, subgroups=subgroups, values=values, phase1=phase1)
    moved = spc.analyze_chart(chart=chart, subgroups=subgroups, values=values + shift, phase1=phase1)
    tolerance = 1e-9 * (abs(shift) + 110)
    assert moved.center == pytest.approx(base.center + shift, abs=tolerance)
    assert moved.ucl == pytest.approx(base.ucl + shift, abs=tolerance)
    assert moved.lcl == pytest.approx(base.lcl + shift, abs=tolerance)
    assert moved.points == pytest.approx(base.points + shift, abs=tolerance)
    # the spread charts do not move at all
    assert moved.secondary.center == pytest.approx(base.secondary.center, abs=tolerance)
    assert moved.secondary.ucl == pytest.approx(base.secondary.ucl, abs=tolerance)


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 40), min_size=2, max_size=30),
    extra=st.lists(st.integers(0, 60), min_size=30, max_size=30),
)
def test_p_chart_limits_bracket_the_centre_within_zero_and_one(counts, extra):
    sizes = [c + e + 1 for c, e in zip(counts, extra, strict=False)]
    result = spc.analyze_chart(chart="p", subgroups=list(range(len(counts))), counts=counts, sizes=sizes)
    assert (result.lcl >= 0).all() and (result.ucl <= 1).all()
    assert (result.lcl <= result.center).all() and (result.center <= result.ucl).all()
