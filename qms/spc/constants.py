"""Control-chart constants computed from their definitions, for any subgroup size n >= 2.

d2 and d3 are the mean and standard deviation of the range of n independent standard normal
observations, W = max - min. Both come from the distribution function of the range (Tippett,
1925):

    F_W(w) = n * integral phi(x) * (Phi(x + w) - Phi(x)) ** (n - 1) dx
    E[W]   = integral_0^inf (1 - F_W(w)) dw
    E[W^2] = integral_0^inf 2 w (1 - F_W(w)) dw

evaluated by Gauss-Legendre quadrature. c4 = E[s] / sigma for a sample of n comes from the
gamma function. The other factors follow from these (Montgomery, Introduction to Statistical
Quality Control, Appendix VI):

    A2 = 3 / (d2 sqrt n)          A3 = 3 / (c4 sqrt n)
    D3 = max(0, 1 - 3 d3 / d2)    D4 = 1 + 3 d3 / d2
    B3 = max(0, 1 - 3 sqrt(1 - c4^2) / c4)    B4 = 1 + 3 sqrt(1 - c4^2) / c4

No Django here: the SPC package is plain numpy/scipy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np

MIN_SUBGROUP = 2
MAX_SUBGROUP = 100

# Quadrature: the integrands are smooth and negligible beyond these bounds for n <= 100.
_NODES = 200
_X_LOW, _X_HIGH = -12.0, 12.0
_W_LOW, _W_HIGH = 0.0, 16.0


_erf = np.frompyfunc(math.erf, 1, 1)


def ndtr(x: np.ndarray) -> np.ndarray:
    """The standard normal distribution function (math.erf: no scipy import for a table)."""
    return 0.5 * (1.0 + _erf(np.asarray(x) / math.sqrt(2.0)).astype(float))


@cache
def _legendre() -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(_NODES)


def _scaled(low, high):
    nodes, weights = _legendre()
    half = (high - low) / 2.0
    return low + half * (nodes + 1.0), weights * half


@cache
def _range_moments(n: int) -> tuple[float, float]:
    """E[W] and E[W^2] of the range of n standard normal observations."""
    x, wx = _scaled(_X_LOW, _X_HIGH)
    w, ww = _scaled(_W_LOW, _W_HIGH)
    phi = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    cdf_x = ndtr(x)
    # cdf_w[j] = F_W(w_j): integrate over x for every w at once.
    spread = ndtr(x[None, :] + w[:, None]) - cdf_x[None, :]
    cdf_w = n * (np.power(spread, n - 1) * (phi * wx)[None, :]).sum(axis=1)
    tail = np.clip(1.0 - cdf_w, 0.0, 1.0)
    mean = float((tail * ww).sum())
    second = float((2.0 * w * tail * ww).sum())
    return mean, second


def _check(n: int) -> int:
    if isinstance(n, bool) or int(n) != n or not MIN_SUBGROUP <= n <= MAX_SUBGROUP:
        raise ValueError(f"subgroup size must be an integer from {MIN_SUBGROUP} to {MAX_SUBGROUP}, not {n!r}")
    return int(n)


def d2(n: int) -> float:
    """Mean of the relative range W / sigma for subgroups of n."""
    return _range_moments(_check(n))[0]


def d3(n: int) -> float:
    """Standard deviation of the relative range W / sigma for subgroups of n."""
    mean, second = _range_moments(_check(n))
    return math.sqrt(max(second - mean * mean, 0.0))


@cache
def c4(n: int) -> float:
    """E[s] / sigma for the sample standard deviation of n normal observations."""
    n = _check(n)
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2.0) - math.lgamma((n - 1) / 2.0))


def A2(n: int) -> float:  # the textbook names, capitals included
    return 3.0 / (d2(n) * math.sqrt(n))


def A3(n: int) -> float:
    return 3.0 / (c4(n) * math.sqrt(n))


def D3(n: int) -> float:
    return max(0.0, 1.0 - 3.0 * d3(n) / d2(n))


def D4(n: int) -> float:
    return 1.0 + 3.0 * d3(n) / d2(n)


def B3(n: int) -> float:
    value = c4(n)
    return max(0.0, 1.0 - 3.0 * math.sqrt(1.0 - value * value) / value)


def B4(n: int) -> float:
    value = c4(n)
    return 1.0 + 3.0 * math.sqrt(1.0 - value * value) / value


@dataclass(frozen=True)
class Factors:
    """All the factors for one subgroup size, as a table row."""

    n: int
    d2: float
    d3: float
    c4: float
    A2: float
    A3: float
    B3: float
    B4: float
    D3: float
    D4: float


def factors(n: int) -> Factors:
    return Factors(n, d2(n), d3(n), c4(n), A2(n), A3(n), B3(n), B4(n), D3(n), D4(n))


def d2_array(sizes: np.ndarray) -> np.ndarray:
    """d2 for each subgroup size in `sizes` (computed once per distinct size)."""
    return _per_size(sizes, d2)


def d3_array(sizes: np.ndarray) -> np.ndarray:
    return _per_size(sizes, d3)


def c4_array(sizes: np.ndarray) -> np.ndarray:
    return _per_size(sizes, c4)


def _per_size(sizes: np.ndarray, function) -> np.ndarray:
    distinct, inverse = np.unique(sizes, return_inverse=True)
    table = np.array([function(int(n)) for n in distinct], dtype=float)
    return table[inverse]
