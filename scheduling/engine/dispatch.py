"""Dispatching-rule schedules: the fallback, and the solver's first hint.

A schedule generator places one operation at a time, each at the earliest time its machine, its
calendar, its labour and its predecessors allow (filling earlier holes on the machine). Among
the operations that are ready and could start before the earliest possible completion of any
of them (the Giffler-Thompson conflict set), the rule picks one:

- EDD: earliest due date of the job;
- SPT: shortest processing time;
- MWKR: most work remaining in the job (a strong rule for job shops);
- ATC: apparent tardiness cost (Vepsalainen and Morton), weighted by the job's weight.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections import defaultdict

from .analysis import Analysis, analyse
from .calendars import earliest_start, finish
from .checks import evaluate
from .model import Assignment, Model, Schedule

RULES = ("EDD", "SPT", "MWKR", "ATC")


class _Timeline:
    """The operations placed on one machine, sorted by start, with their setup families."""

    def __init__(self, machine, gaps):
        self.machine = machine
        self.gaps = gaps
        self.starts: list[int] = []
        self.placed: list[tuple[int, int, str | None]] = []

    def place(self, earliest: int, duration: int, family, splittable: bool, labour_check) -> tuple[int, int]:
        """The earliest (start, end) at or after `earliest` that fits between placed operations."""
        time = earliest
        placed, setup = self.placed, self.machine.setup
        while True:
            time = earliest_start(self.gaps, time, duration, splittable)
            index = bisect.bisect_right(self.starts, time)
            # No start from `time` to the end of the next placed operation (and its changeover)
            # fits when the hole before it is shorter than the operation even without calendar
            # gaps: skip such holes in one walk, without calendar arithmetic for each.
            skipped = False
            while index < len(placed) and placed[index][0] - time < duration:
                time = max(time + 1, placed[index][1] + setup(placed[index][2], family))
                index += 1
                skipped = True
            if skipped:
                continue
            end = finish(self.gaps, time, duration, splittable)
            if index > 0:
                _start, stop, before = self.placed[index - 1]
                ready = stop + self.machine.setup(before, family)
                if ready > time:
                    time = ready
                    continue
            if index < len(self.placed):
                start, stop, after = self.placed[index]
                if end + self.machine.setup(family, after) > start:
                    time = max(time + 1, stop + self.machine.setup(after, family))
                    continue
            later = labour_check(time, end)
            if later is None:
                return time, end
            time = max(time + 1, later)

    def add(self, start: int, end: int, family) -> None:
        index = bisect.bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.placed.insert(index, (start, end, family))


def _labour_checker(model: Model, usage):
    pools = {pool.skill: pool.capacity for pool in model.labour}

    def check(needs: dict[str, int]):
        def later(start: int, end: int) -> int | None:
            for skill, amount in needs.items():
                if not amount:
                    continue
                overlapping = [(s, e, a) for s, e, a in usage[skill] if s < end and e > start]
                points = sorted({start} | {s for s, _e, _a in overlapping if s > start})
                for point in points:
                    busy = sum(a for s, e, a in overlapping if s <= point < e)
                    if busy + amount > pools[skill]:
                        return min(e for s, e, a in overlapping if s <= point < e)
            return None

        return later

    return check


def dispatch(
    model: Model, rule: str = "MWKR", *, analysis: Analysis | None = None, seed: int | None = None
) -> Schedule:
    """A schedule built by the dispatching `rule`; `seed` breaks ties at random."""
    if rule not in RULES:
        raise ValueError(f"unknown dispatching rule {rule}; choose one of {', '.join(RULES)}")
    analysis = analysis or analyse(model)
    rng = random.Random(seed) if seed is not None else None
    jobs = {job.name: job for job in model.jobs}
    ops = {op.name: op for op in model.operations}
    timelines = {m.name: _Timeline(m, analysis.gaps[m.name]) for m in model.machines}
    usage: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    labour = _labour_checker(model, usage)
    remaining_work: dict[str, int] = defaultdict(int)
    for op in model.operations:
        remaining_work[op.job] += analysis.min_duration[op.name]
    mean_duration = max(1.0, sum(analysis.min_duration.values()) / max(1, len(ops)))
    assignments: dict[str, Assignment] = {}

    def commit(op, machine: str, start: int, end: int) -> None:
        assignments[op.name] = Assignment(op.name, machine, start, end)
        timelines[machine].add(start, end, op.setup_family)
        for skill, amount in op.labour.items():
            usage[skill].append((start, end, amount))
        remaining_work[op.job] -= analysis.min_duration[op.name]

    for op in model.operations:
        if op.fixed:
            machine, start = op.fixed
            end = finish(analysis.gaps[machine], start, op.durations[machine], op.splittable)
            commit(op, machine, start, end if end is not None else start + op.durations[machine])
    waiting = {name: len(analysis.predecessors.get(name, [])) for name in ops}
    ready_at: dict[str, int] = {name: analysis.release[name] for name in ops}
    pending_fixed = set(assignments)
    # The ready operations with their priority keys, computed once when an operation becomes
    # ready (and again for a job's other ready operations when one of them is placed, which
    # changes the job's remaining work); per machine, the ready operations eligible on it and
    # the earliest completion among them, kept until the machine's tail or that set changes.
    keys: dict[str, tuple] = {}
    ready_of_job: dict[str, set[str]] = defaultdict(set)
    eligible: dict[str, set[str]] = {m.name: set() for m in model.machines}
    completion: dict[str, float] = {m.name: math.inf for m in model.machines}
    stale: set[str] = set()

    def tail(machine: str) -> int:
        placed = timelines[machine].placed
        return placed[-1][1] if placed else 0

    def priority(name: str) -> tuple:
        op, job = ops[name], jobs[ops[name].job]
        duration = analysis.min_duration[name]
        if rule == "EDD":
            key = job.due if job.due is not None else math.inf
        elif rule == "SPT":
            key = duration
        elif rule == "MWKR":
            key = -remaining_work[op.job]
        else:
            slack = (job.due if job.due is not None else math.inf) - remaining_work[op.job] - ready_at[name]
            slack = max(0.0, slack)
            key = -(job.weight / max(1, duration)) * math.exp(-slack / (2.0 * mean_duration))
        return (key, rng.random() if rng else 0, ready_at[name], name)

    # The ready operations wait in `future` by the time they are ready until that is before the
    # earliest completion, then in `queue` by key (stale entries, of operations placed or
    # re-keyed since, are skipped); one found in `queue` not yet ready goes back to `future`.
    queue: list[tuple] = []
    future: list[tuple[int, str]] = []
    active: set[str] = set()

    def make_ready(name: str) -> None:
        keys[name] = priority(name)
        heapq.heappush(future, (ready_at[name], name))
        ready_of_job[ops[name].job].add(name)
        for machine, duration in ops[name].durations.items():
            eligible[machine].add(name)
            if machine not in stale:
                completion[machine] = min(completion[machine], max(ready_at[name], tail(machine)) + duration)

    def earliest_completion() -> float:
        for machine in stale:
            free = tail(machine)
            completion[machine] = min(
                (max(ready_at[n], free) + ops[n].durations[machine] for n in eligible[machine]), default=math.inf
            )
        stale.clear()
        return min(completion.values(), default=math.inf)

    def release_successors(name: str) -> None:
        for child, lag in analysis.successors.get(name, []):
            ready_at[child] = max(ready_at[child], assignments[name].end + lag)
            waiting[child] -= 1
            if waiting[child] == 0:
                make_ready(child)

    for name in ops:
        if waiting[name] == 0:
            make_ready(name)
    while keys:
        horizon = earliest_completion()
        # The best-keyed ready operation that can start before the earliest completion (the
        # conflict set), or the best of all when none can.
        while future and future[0][0] < horizon:
            _at, name = heapq.heappop(future)
            if name in keys and name not in active:
                active.add(name)
                heapq.heappush(queue, keys[name])
        chosen = None
        while queue:
            entry = heapq.heappop(queue)
            name = entry[-1]
            if keys.get(name) != entry or name not in active:
                continue
            if ready_at[name] < horizon:
                chosen = name
                break
            active.discard(name)
            heapq.heappush(future, (ready_at[name], name))
        if chosen is None:
            chosen = min(keys.values())[-1]
        active.discard(chosen)
        op = ops[chosen]
        del keys[chosen]
        ready_of_job[op.job].discard(chosen)
        for machine in op.durations:
            eligible[machine].discard(chosen)
            stale.add(machine)
        if chosen in pending_fixed:
            release_successors(chosen)
            continue
        check = labour(op.labour)
        best = None
        for machine, duration in op.durations.items():
            start, end = timelines[machine].place(ready_at[chosen], duration, op.setup_family, op.splittable, check)
            if best is None or (end, start) < (best[2], best[1]):
                best = (machine, start, end)
        commit(op, *best)
        stale.add(best[0])
        if rule in ("MWKR", "ATC"):
            for sibling in ready_of_job[op.job]:
                keys[sibling] = priority(sibling)
                if sibling in active:
                    heapq.heappush(queue, keys[sibling])
        release_successors(chosen)
    schedule = Schedule(assignments=assignments, source=f"dispatch:{rule}")
    schedule.objectives = evaluate(model, schedule)
    return schedule
