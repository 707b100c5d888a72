"""Control-chart constants: computed from their definitions, checked against the textbook table."""

import math

import pytest

from qms.spc import constants

# Montgomery, Introduction to Statistical Quality Control, Appendix VI, n = 2..25.
TABLE = {
    "d2": [
        1.128,
        1.693,
        2.059,
        2.326,
        2.534,
        2.704,
        2.847,
        2.970,
        3.078,
        3.173,
        3.258,
        3.336,
        3.407,
        3.472,
        3.532,
        3.588,
        3.640,
        3.689,
        3.735,
        3.778,
        3.819,
        3.858,
        3.895,
        3.931,
    ],
    "d3": [
        0.853,
        0.888,
        0.880,
        0.864,
        0.848,
        0.833,
        0.820,
        0.808,
        0.797,
        0.787,
        0.778,
        0.770,
        0.763,
        0.756,
        0.750,
        0.744,
        0.739,
        0.734,
        0.729,
        0.724,
        0.720,
        0.716,
        0.712,
        0.708,
    ],
    "c4": [
        0.7979,
        0.8862,
        0.9213,
        0.9400,
        0.9515,
        0.9594,
        0.9650,
        0.9693,
        0.9727,
        0.9754,
        0.9776,
        0.9794,
        0.9810,
        0.9823,
        0.9835,
        0.9845,
        0.9854,
        0.9862,
        0.9869,
        0.9876,
        0.9882,
        0.9887,
        0.9892,
        0.9896,
    ],
    "A2": [
        1.880,
        1.023,
        0.729,
        0.577,
        0.483,
        0.419,
        0.373,
        0.337,
        0.308,
        0.285,
        0.266,
        0.249,
        0.235,
        0.223,
        0.212,
        0.203,
        0.194,
        0.187,
        0.180,
        0.173,
        0.167,
        0.162,
        0.157,
        0.153,
    ],
    "A3": [
        2.659,
        1.954,
        1.628,
        1.427,
        1.287,
        1.182,
        1.099,
        1.032,
        0.975,
        0.927,
        0.886,
        0.850,
        0.817,
        0.789,
        0.763,
        0.739,
        0.718,
        0.698,
        0.680,
        0.663,
        0.647,
        0.633,
        0.619,
        0.606,
    ],
    "B3": [
        0,
        0,
        0,
        0,
        0.030,
        0.118,
        0.185,
        0.239,
        0.284,
        0.321,
        0.354,
        0.382,
        0.406,
        0.428,
        0.448,
        0.466,
        0.482,
        0.497,
        0.510,
        0.523,
        0.534,
        0.545,
        0.555,
        0.565,
    ],
    "B4": [
        3.267,
        2.568,
        2.266,
        2.089,
        1.970,
        1.882,
        1.815,
        1.761,
        1.716,
        1.679,
        1.646,
        1.618,
        1.594,
        1.572,
        1.552,
        1.534,
        1.518,
        1.503,
        1.490,
        1.477,
        1.466,
        1.455,
        1.445,
        1.435,
    ],
    "D3": [
        0,
        0,
        0,
        0,
        0,
        0.076,
        0.136,
        0.184,
        0.223,
        0.256,
        0.283,
        0.307,
        0.328,
        0.347,
        0.363,
        0.378,
        0.391,
        0.403,
        0.415,
        0.425,
        0.434,
        0.443,
        0.451,
        0.459,
    ],
    "D4": [
        3.267,
        2.574,
        2.282,
        2.114,
        2.004,
        1.924,
        1.864,
        1.816,
        1.777,
        1.744,
        1.717,
        1.693,
        1.672,
        1.653,
        1.637,
        1.622,
        1.608,
        1.597,
        1.585,
        1.575,
        1.566,
        1.557,
        1.548,
        1.541,
    ],
}
SIZES = range(2, 26)


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("n", SIZES)
def test_factor_matches_the_table_to_its_printed_digits(name, n):
    tabulated = TABLE[name][n - 2]
    digits = 4 if name == "c4" else 3
    # The table rounds to its last digit; a few entries were derived from already rounded
    # factors, so allow one unit of the last digit.
    assert getattr(constants, name)(n) == pytest.approx(tabulated, abs=1.01 * 10**-digits)


def test_closed_forms_for_two():
    # For n = 2 the range is |X1 - X2| ~ sqrt(2) |Z|: E = 2/sqrt(pi), Var = 2 - 4/pi.
    assert constants.d2(2) == pytest.approx(2 / math.sqrt(math.pi), rel=1e-10)
    assert constants.d3(2) == pytest.approx(math.sqrt(2 - 4 / math.pi), rel=1e-10)
    assert constants.c4(2) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-12)


@pytest.mark.parametrize("n", SIZES)
def test_derived_factors_follow_from_d2_d3_c4(n):
    d2, d3, c4 = constants.d2(n), constants.d3(n), constants.c4(n)
    assert constants.A2(n) == pytest.approx(3 / (d2 * math.sqrt(n)))
    assert constants.A3(n) == pytest.approx(3 / (c4 * math.sqrt(n)))
    assert constants.D4(n) == pytest.approx(1 + 3 * d3 / d2)
    assert constants.D3(n) == pytest.approx(max(0.0, 1 - 3 * d3 / d2))
    assert constants.B4(n) == pytest.approx(1 + 3 * math.sqrt(1 - c4 * c4) / c4)
    assert constants.B3(n) == pytest.approx(max(0.0, 1 - 3 * math.sqrt(1 - c4 * c4) / c4))


def test_d2_and_d3_agree_with_simulated_ranges():
    import numpy as np

    rng = np.random.default_rng(5)
    ranges = np.ptp(rng.standard_normal((400_000, 5)), axis=1)
    assert ranges.mean() == pytest.approx(constants.d2(5), rel=3e-3)
    assert ranges.std() == pytest.approx(constants.d3(5), rel=5e-3)


@pytest.mark.parametrize("n", [1, 0, 101, 2.5, True])
def test_sizes_outside_the_supported_range_are_refused(n):
    with pytest.raises(ValueError, match="subgroup size"):
        constants.d2(n)
