"""Nelson rules: each hand-made series triggers its rule and no other; boundaries are strict."""

import numpy as np
import pytest

from qms.services import spc
from qms.spc import constants, rules

# Series in sigma units around a centre of 0 with sigma 1, and the subgroups (1-based) where
# the rule is reported: where the pattern completes and every later point that completes one.
SERIES = {
    1: ([0.5, -0.5, 3.5, 0.2, -0.3, -3.2], [3, 6]),
    2: ([0.5] * 9 + [0.3, 0.5, -0.4], [9, 10, 11]),
    3: ([-0.5, -0.3, -0.1, 0.1, 0.3, 0.5, 0.7, 0.2], [6, 7]),
    4: ([(-1) ** k * (1.5 if k % 3 == 0 else 0.5) for k in range(15)] + [0.5], [14, 15]),
    5: ([0.0, 2.5, 0.5, 2.5, -0.5, 0.0, -2.2, -2.4], [4, 8]),
    6: ([1.5, 1.5, 0.5, 1.5, 1.5, 1.2, 0.0, -0.3], [5, 6]),
    7: ([0.5, 0.5, -0.5, -0.5] * 4, [15, 16]),
    8: ([1.5, -1.5] * 4 + [1.5, 0.5], [8, 9]),
}


def fired(points, center=0.0, sigma=1.0, chosen=rules.ALL_RULES):
    found = rules.evaluate(np.asarray(points, dtype=float), center, sigma, chosen)
    return {rule: (np.flatnonzero(hits) + 1).tolist() for rule, hits in found.items() if hits.any()}


@pytest.mark.parametrize("rule", sorted(SERIES))
def test_series_triggers_exactly_its_rule(rule):
    points, where = SERIES[rule]
    assert fired(points) == {rule: where}


BASELINE = [1.5, -1.5, -1.5, 1.5]  # phase I: subgroup means in sigma units, centred on 0
# Points between the baseline and the series so that no window reaches back into the baseline.
SEPARATORS = {4: [0.0, 2.0], 7: []}


@pytest.mark.parametrize("rule", sorted(SERIES))
def test_series_through_an_xbar_r_chart_in_phase_two(rule):
    """The same series as subgroup means of an X-bar-R chart whose limits come from a baseline."""
    half_range = 1.0
    sigma_of_mean = (2 * half_range / constants.d2(2)) / np.sqrt(2)  # R-bar / d2 / sqrt(n)
    points, where = SERIES[rule]
    separator = SEPARATORS.get(rule, [0.0, 0.0])
    means = [z * sigma_of_mean for z in BASELINE + separator + points]
    subgroups = np.repeat(np.arange(len(means)), 2)
    values = np.column_stack([np.array(means) - half_range, np.array(means) + half_range]).ravel()
    result = spc.analyze_chart(chart="xbar_r", subgroups=subgroups, values=values, phase1=len(BASELINE))
    assert result.center[0] == pytest.approx(0.0, abs=1e-12)
    assert result.sigma[0] == pytest.approx(sigma_of_mean)
    offset = len(BASELINE) + len(separator)
    got = {}
    for violation in result.violations:
        if violation["subgroup"] > offset:
            got.setdefault(violation["rule"], []).append(violation["subgroup"] - offset)
    assert got == {rule: where}


def test_only_the_chosen_rules_are_checked():
    points, _ = SERIES[1]
    assert fired(points, chosen=(2, 3)) == {}
    result = spc.analyze_chart(chart="imr", subgroups=list(range(6)), values=[0, 0.2, 0, 0.2, 5, 0.1], rules=[2])
    assert result.violations == [] and result.rules == (2,)


def test_a_point_on_three_sigma_is_not_beyond_it():
    assert fired([0.2, 3.0, -3.0, -0.2]) == {}
    assert fired([0.2, 3.0000001, -0.2]) == {1: [2]}


def test_a_point_on_the_centre_line_breaks_a_run():
    assert fired([0.5] * 4 + [0.0] + [0.5] * 4) == {}
    assert fired([-0.5] * 4 + [0.0] + [-0.5] * 9) == {2: [14]}


def test_equal_neighbours_break_a_trend_and_an_alternation():
    assert fired([-0.5, -0.3, -0.1, -0.1, 0.1, 0.3, 0.5]) == {}
    alternating = [0.2, -0.2] * 7
    alternating[7] = alternating[6]
    assert fired(alternating) == {}


def test_falling_trend():
    assert fired([0.5, 0.3, 0.1, -0.1, -0.3, -0.5]) == {3: [6]}


def test_rule_five_and_six_report_only_at_a_point_beyond_the_zone():
    # two of three beyond 2 sigma, but the last point of the window is inside: no report there
    assert fired([0.1, 2.5, 2.5, 0.5]) == {5: [3]}
    assert fired([0.1, 1.5, 1.5, 1.5, 1.5, 0.5]) == {6: [5]}
    # on opposite sides they do not count together
    assert fired([2.5, -2.5, 2.5 * 0 + 0.1]) == {}
    assert fired([1.5, -1.5, 1.5, -1.5, 1.5]) == {}


def test_a_point_exactly_at_two_or_one_sigma_is_not_beyond_the_zone():
    assert fired([2.0, 2.0, 2.0]) == {}
    assert fired([1.0, 1.0, 1.0, 1.0, 1.0]) == {}


def test_rule_seven_counts_points_on_the_centre_line_and_on_one_sigma_as_within():
    points = [0.0, 1.0, -1.0, 0.5, 0.5, -0.5, -0.5] * 2 + [0.0]
    assert fired(points) == {7: [15]}


def test_rule_eight_needs_eight_in_a_row_outside_one_sigma():
    assert fired([1.5, -1.5] * 3 + [1.0] + [1.5, -1.5]) == {}


def test_zones_follow_each_points_own_sigma():
    # the same distance is beyond 3 sigma for the small sample and inside it for the large one
    assert fired([0.4, 0.4], center=0.0, sigma=np.array([0.1, 0.2])) == {1: [1]}


def test_violations_are_listed_by_subgroup_then_rule():
    found = rules.violations(np.array([0.5] * 8 + [3.5]), 0.0, 1.0)
    assert found == [{"rule": 1, "subgroup": 9}, {"rule": 2, "subgroup": 9}]


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="1 to 8"):
        rules.evaluate(np.zeros(3), 0.0, 1.0, (9,))
