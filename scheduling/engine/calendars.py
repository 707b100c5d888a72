"""Calendar arithmetic on a machine's unavailable intervals (calendar gaps)."""

from __future__ import annotations

import bisect
import itertools


def merge_gaps(gaps: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping, non-touching gaps with positive length."""
    merged: list[list[int]] = []
    for start, end in sorted(g for g in gaps if g[1] > g[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def finish(gaps: list[tuple[int, int]], start: int, duration: int, splittable: bool) -> int | None:
    """When an operation started at `start` ends, or None if it may not start there.

    A non-splittable operation must not overlap any gap; a splittable one pauses over each gap
    it meets and resumes at the gap's end. Neither may start inside a gap.
    """
    index = bisect.bisect_right(gaps, (start, float("inf"))) - 1
    if index >= 0 and gaps[index][0] <= start < gaps[index][1]:
        return None
    time, remaining = start, duration
    for gap_start, gap_end in gaps[index + 1 :]:
        if time + remaining <= gap_start:
            break
        if not splittable:
            return None
        remaining -= gap_start - time
        time = gap_end
    return time + remaining


def earliest_start(gaps: list[tuple[int, int]], earliest: int, duration: int, splittable: bool) -> int:
    """The first time at or after `earliest` at which the operation may start."""
    time = earliest
    # Gaps are sorted and disjoint, so their ends are sorted too: skip the ones already over.
    first = bisect.bisect_right(gaps, earliest, key=lambda gap: gap[1])
    for gap_start, gap_end in itertools.islice(gaps, first, None):
        if time >= gap_start:
            time = gap_end
            continue
        if splittable or time + duration <= gap_start:
            return time
        time = gap_end
    return time


def working_time(gaps: list[tuple[int, int]], start: int, end: int) -> int:
    """Time within [start, end) outside every gap."""
    total = max(0, end - start)
    for gap_start, gap_end in gaps:
        total -= max(0, min(end, gap_end) - max(start, gap_start))
    return total


def longest_window(gaps: list[tuple[int, int]], start: int, end: int) -> int:
    """The longest stretch of working time without a gap within [start, end)."""
    best, time = 0, start
    for gap_start, gap_end in gaps:
        if gap_end <= time:
            continue
        if gap_start >= end:
            break
        best = max(best, gap_start - time)
        time = max(time, gap_end)
    return max(best, end - time)
