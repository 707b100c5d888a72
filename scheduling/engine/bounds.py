"""Lower bounds on the objectives from machine loads, calendars, releases and due dates.

Machines that share operations (through alternatives) form a group; an operation runs on one
group. Within a group of machines, by the time the k-th operation completes, at least the k
shortest processing times have been worked on the group's machines, so the k-th completion is
no earlier than the moment the group's working time since its earliest head reaches that sum
(calendar gaps count as no capacity), nor than the k-th earliest head plus duration. Pairing
these completion bounds in order with the operations' due dates in order (each operation's due
date is its job's less the work that must follow it) gives the least total tardiness any
sequence could have (the pairing is optimal for a convex penalty); with one operation per job
and the smallest weight this bounds the total weighted tardiness. The group's whole load gives
a makespan bound the same way.
"""

from __future__ import annotations

import math
from collections import defaultdict

from .analysis import Analysis
from .model import Model


def machine_groups(model: Model) -> list[set[str]]:
    """Machines linked by operations eligible on both, as disjoint sets."""
    parent = {m.name: m.name for m in model.machines}

    def root(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for op in model.operations:
        names = list(op.durations)
        for other in names[1:]:
            parent[root(other)] = root(names[0])
    groups: dict[str, set[str]] = defaultdict(set)
    for name in parent:
        groups[root(name)].add(name)
    return list(groups.values())


def _completions(gaps: list[list[tuple[int, int]]], origin: int, amounts: list[int]) -> list[float]:
    """For each amount (ascending), the first time the machines' working time since `origin` reaches it."""
    events: dict[int, int] = defaultdict(int)
    for machine_gaps in gaps:
        for start, end in machine_gaps:
            if end <= origin:
                continue
            events[max(start, origin)] -= 1
            events[end] += 1
    rate, time, done, out = len(gaps), origin, 0, []
    points = sorted(events.items())
    index = 0
    while index < len(points) and points[index][0] <= origin:
        rate += points[index][1]
        index += 1
    for amount in amounts:
        while amount > done:
            next_time = points[index][0] if index < len(points) else math.inf
            if rate > 0 and done + rate * (next_time - time) >= amount:
                time, done = time + (amount - done) / rate, amount
                break
            if next_time == math.inf:
                time = done = math.inf
                break
            done += rate * (next_time - time)
            time = next_time
            rate += points[index][1]
            index += 1
        out.append(time)
    return out


def lower_bounds(model: Model, analysis: Analysis) -> dict[str, int]:
    """Lower bounds on the makespan and the total weighted tardiness of every schedule."""
    jobs = {job.name: job for job in model.jobs}
    an = analysis
    ends: dict[str, int] = defaultdict(int)
    for op in model.operations:
        ends[op.job] = max(ends[op.job], an.head[op.name] + an.min_duration[op.name])
    tardiness = sum(
        job.weight * max(0, ends[job.name] - job.due) for job in model.jobs if job.due is not None and job.name in ends
    )
    makespan = an.makespan_bound
    position = {name: index for index, name in enumerate(an.order)}
    group_of: dict[str, int] = {}
    groups = machine_groups(model)
    for index, group in enumerate(groups):
        for name in group:
            group_of[name] = index
    members: dict[int, list] = defaultdict(list)
    for op in model.operations:
        if not op.fixed:
            members[group_of[next(iter(op.durations))]].append(op)
    for index, ops in members.items():
        machines = sorted(groups[index])
        gaps = [an.gaps[m] for m in machines]
        origin = min(an.head[op.name] for op in ops)
        load = sorted(an.min_duration[op.name] for op in ops)
        total = sum(load)
        whole = _completions(gaps, origin, [total])[0]
        if whole < math.inf:
            makespan = max(makespan, math.ceil(whole - 1e-9) + min(an.tail[op.name] for op in ops))
        # One operation per job (its last in the group), so no job's tardiness counts twice.
        last: dict[str, object] = {}
        for op in ops:
            if op.job not in last or position[op.name] > position[last[op.job].name]:
                last[op.job] = op
        chosen = list(last.values())
        durations = sorted(an.min_duration[op.name] for op in chosen)
        prefix, running = [], 0
        for duration in durations:
            running += duration
            prefix.append(running)
        by_load = _completions(gaps, origin, prefix)
        by_head = sorted(an.head[op.name] + an.min_duration[op.name] for op in chosen)
        dues = sorted(
            jobs[op.job].due - an.tail[op.name] if jobs[op.job].due is not None else math.inf for op in chosen
        )
        weights = [jobs[op.job].weight for op in chosen if jobs[op.job].due is not None]
        if not weights:
            continue
        late = sum(max(0.0, max(a, b) - d) for a, b, d in zip(by_load, by_head, dues, strict=True))
        if late < math.inf:
            tardiness = max(tardiness, math.ceil(min(weights) * late - 1e-6))
    return {"makespan": int(makespan), "weighted_tardiness": int(tardiness)}
