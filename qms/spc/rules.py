"""Nelson's eight rules for special causes, evaluated on a whole chart at once (numpy).

Each rule is tested on the window that ends at every point; a violation is reported at the
point that completes the pattern (the last of its window) and again at every later point that
completes one. "Beyond", "outside", "rising" and "falling" are strict: a point on the centre line
breaks a run on one side, equal neighbours break a trend or an alternation. For rules 5 and 6
the reporting point itself lies beyond the zone on the pattern's side.

Points are compared with their own centre and sigma (arrays, one per point), so charts whose
limits vary with the sample size are zoned per point. Comparisons allow a tolerance of 1e-9
sigma so a point that lies on a boundary in exact arithmetic stays on it in floating point.
"""

from __future__ import annotations

import numpy as np

RULES = {
    1: "One point beyond 3 sigma",
    2: "Nine points in a row on one side of the centre line",
    3: "Six points in a row steadily rising or falling",
    4: "Fourteen points in a row alternating up and down",
    5: "Two of three points in a row beyond 2 sigma on one side",
    6: "Four of five points in a row beyond 1 sigma on one side",
    7: "Fifteen points in a row within 1 sigma of the centre line",
    8: "Eight points in a row outside 1 sigma on either side",
}
ALL_RULES = tuple(RULES)
TOLERANCE = 1e-9


def _window_count(flags: np.ndarray, width: int) -> np.ndarray:
    """How many of `flags` are true in the window of `width` ending at each index (0 where
    the window is not complete)."""
    counts = np.zeros(flags.shape[0], dtype=np.int64)
    if flags.shape[0] < width:
        return counts
    cumulative = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    counts[width - 1 :] = cumulative[width:] - cumulative[:-width]
    return counts


def _all_in_window(flags: np.ndarray, width: int) -> np.ndarray:
    return _window_count(flags, width) == width


def _shift(flags: np.ndarray, offset: int, length: int) -> np.ndarray:
    """Place `flags` (computed on differences) at the point index that ends each window."""
    placed = np.zeros(length, dtype=bool)
    placed[offset : offset + flags.shape[0]] = flags
    return placed


def zscores(points: np.ndarray, center: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """Distance of each point from its centre in sigma units (+/-inf where sigma is zero)."""
    deviation = np.asarray(points, dtype=float) - center
    with np.errstate(divide="ignore", invalid="ignore"):
        z = deviation / sigma
    return np.where(np.isnan(z), 0.0, z)


def evaluate(points: np.ndarray, center: np.ndarray, sigma: np.ndarray, rules=ALL_RULES) -> dict[int, np.ndarray]:
    """For each rule asked for, a boolean array: True where a point completes the pattern."""
    points = np.asarray(points, dtype=float)
    length = points.shape[0]
    center = np.broadcast_to(np.asarray(center, dtype=float), (length,))
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), (length,))
    z = zscores(points, center, sigma)
    eps = TOLERANCE
    above, below = z > eps, z < -eps
    found: dict[int, np.ndarray] = {}

    for rule in rules:
        if rule == 1:
            hits = np.abs(z) > 3 + eps
        elif rule == 2:
            hits = _all_in_window(above, 9) | _all_in_window(below, 9)
        elif rule in (3, 4):
            step = np.diff(points)
            tolerance = eps * np.maximum(sigma[1:], sigma[:-1])
            rising, falling = step > tolerance, step < -tolerance
            if rule == 3:
                # six points = five rises (or falls) in a row; difference j ends at point j + 1
                hits = _shift(_all_in_window(rising, 5) | _all_in_window(falling, 5), 1, length)
            else:
                # fourteen points = thirteen differences, each pair of neighbours of opposite sign
                flips = (rising[:-1] & falling[1:]) | (falling[:-1] & rising[1:])
                hits = _shift(_all_in_window(flips, 12), 2, length)
        elif rule == 5:
            high, low = z > 2 + eps, z < -(2 + eps)
            hits = (high & (_window_count(high, 3) >= 2)) | (low & (_window_count(low, 3) >= 2))
        elif rule == 6:
            high, low = z > 1 + eps, z < -(1 + eps)
            hits = (high & (_window_count(high, 5) >= 4)) | (low & (_window_count(low, 5) >= 4))
        elif rule == 7:
            hits = _all_in_window(np.abs(z) <= 1 + eps, 15)
        elif rule == 8:
            hits = _all_in_window(np.abs(z) > 1 + eps, 8)
        else:
            raise ValueError(f"Nelson rules are numbered 1 to 8, not {rule!r}")
        found[rule] = hits
    return found


def violations(points, center, sigma, rules=ALL_RULES) -> list[dict]:
    """The violations as `{"rule": r, "subgroup": i}` (i 1-based), ordered by subgroup, then rule."""
    found = evaluate(points, center, sigma, rules)
    if not found:
        return []
    rule_ids = []
    indexes = []
    for rule, hits in found.items():
        where = np.flatnonzero(hits)
        indexes.append(where)
        rule_ids.append(np.full(where.shape[0], rule, dtype=np.int64))
    index = np.concatenate(indexes)
    rule_id = np.concatenate(rule_ids)
    order = np.lexsort((rule_id, index))
    return [{"rule": r, "subgroup": i + 1} for r, i in zip(rule_id[order].tolist(), index[order].tolist(), strict=True)]
