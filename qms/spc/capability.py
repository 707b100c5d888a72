"""Process capability and the Anderson-Darling normality test.

Cp and Cpk use the within-subgroup sigma of the chart (R-bar/d2, S-bar/c4 or MR-bar/d2); Pp and
Ppk the sample standard deviation of the same observations; all are centred on their grand
mean. With one specification limit only the one-sided index (Cpk / Ppk) is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Normality:
    statistic: float
    p_value: float
    alpha: float = 0.05

    @property
    def normal(self) -> bool:
        """Normality is not rejected at `alpha`."""
        return self.p_value >= self.alpha


@dataclass(frozen=True)
class Capability:
    cp: float | None
    cpk: float | None
    pp: float | None
    ppk: float | None
    mean: float
    sigma_within: float
    sigma_overall: float
    lsl: float | None
    usl: float | None
    normality: Normality | None


def _ratio(numerator: float, denominator: float) -> float | None:
    if denominator <= 0 or not math.isfinite(denominator):
        return None
    return numerator / denominator


def _indices(mean: float, sigma: float, lsl: float | None, usl: float | None) -> tuple[float | None, float | None]:
    both = lsl is not None and usl is not None
    potential = _ratio(usl - lsl, 6.0 * sigma) if both else None
    sides = []
    if usl is not None:
        sides.append(_ratio(usl - mean, 3.0 * sigma))
    if lsl is not None:
        sides.append(_ratio(mean - lsl, 3.0 * sigma))
    sides = [value for value in sides if value is not None]
    return potential, (min(sides) if sides else None)


def anderson_darling(observations: np.ndarray) -> Normality | None:
    """Anderson-Darling test for a normal distribution with estimated mean and sigma.

    The statistic A^2 comes from scipy; the p-value from the small-sample adjusted statistic
    A*^2 = A^2 (1 + 0.75/n + 2.25/n^2) and the approximations of D'Agostino and Stephens,
    Goodness-of-Fit Techniques (1986), table 4.9. None for fewer than 8 observations or no
    spread, where the test says nothing.
    """
    observations = np.asarray(observations, dtype=float)
    n = observations.shape[0]
    if n < 8 or np.ptp(observations) == 0:
        return None
    from scipy import stats  # slow to import; only needed when capability is asked for

    statistic = float(stats.anderson(observations, dist="norm", method="interpolate").statistic)
    adjusted = statistic * (1.0 + 0.75 / n + 2.25 / (n * n))
    if adjusted >= 0.6:
        p_value = math.exp(1.2937 - 5.709 * adjusted + 0.0186 * adjusted**2)
    elif adjusted >= 0.34:
        p_value = math.exp(0.9177 - 4.279 * adjusted - 1.38 * adjusted**2)
    elif adjusted >= 0.2:
        p_value = 1.0 - math.exp(-8.318 + 42.796 * adjusted - 59.938 * adjusted**2)
    else:
        p_value = 1.0 - math.exp(-13.436 + 101.14 * adjusted - 223.73 * adjusted**2)
    return Normality(statistic=statistic, p_value=min(max(p_value, 0.0), 1.0))


def capability(observations: np.ndarray, *, sigma_within: float, lsl: float | None, usl: float | None) -> Capability:
    """Capability of `observations` (the phase-I measurements) against the specification."""
    observations = np.asarray(observations, dtype=float)
    mean = float(observations.mean())
    sigma_overall = float(observations.std(ddof=1)) if observations.shape[0] > 1 else float("nan")
    cp, cpk = _indices(mean, sigma_within, lsl, usl)
    pp, ppk = _indices(mean, sigma_overall, lsl, usl)
    return Capability(
        cp=cp,
        cpk=cpk,
        pp=pp,
        ppk=ppk,
        mean=mean,
        sigma_within=sigma_within,
        sigma_overall=sigma_overall,
        lsl=lsl,
        usl=usl,
        normality=anderson_darling(observations),
    )
