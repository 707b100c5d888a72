"""A schedule's objectives and its validity against the model, independent of the solver."""

from __future__ import annotations

import itertools
from collections import defaultdict

from .calendars import finish, merge_gaps
from .model import Model, Schedule


def job_ends(model: Model, schedule: Schedule) -> dict[str, int]:
    ends: dict[str, int] = {job.name: 0 for job in model.jobs}
    for op in model.operations:
        assignment = schedule.assignments.get(op.name)
        if assignment is not None:
            ends[op.job] = max(ends.get(op.job, 0), assignment.end)
    return ends


def evaluate(model: Model, schedule: Schedule) -> dict[str, int]:
    """Makespan, total weighted tardiness and the number of late jobs of a schedule."""
    ends = job_ends(model, schedule)
    tardiness, late = 0, 0
    for job in model.jobs:
        if job.due is not None and ends.get(job.name, 0) > job.due:
            tardiness += job.weight * (ends[job.name] - job.due)
            late += 1
    return {"makespan": schedule.makespan(), "weighted_tardiness": tardiness, "late_jobs": late}


def check_schedule(model: Model, schedule: Schedule) -> list[str]:
    """Every way the schedule breaks the model, as readable sentences; empty when valid."""
    problems: list[str] = []
    jobs = {job.name: job for job in model.jobs}
    machines = {machine.name: machine for machine in model.machines}
    gaps = {name: merge_gaps(machine.unavailable) for name, machine in machines.items()}
    ops = {op.name: op for op in model.operations}
    by_machine: dict[str, list] = defaultdict(list)
    for op in model.operations:
        a = schedule.assignments.get(op.name)
        if a is None:
            problems.append(f"operation {op.name} is not scheduled")
            continue
        if a.machine not in op.durations:
            problems.append(f"operation {op.name} runs on {a.machine}, which is not eligible for it")
            continue
        job = jobs.get(op.job)
        release = max(op.release, job.release if job else 0)
        if a.start < release:
            problems.append(f"operation {op.name} starts at {a.start}, before its release {release}")
        expected = finish(gaps[a.machine], a.start, op.durations[a.machine], op.splittable)
        if expected is None:
            problems.append(f"operation {op.name} on {a.machine} overlaps a calendar gap at {a.start}")
        elif expected != a.end:
            problems.append(f"operation {op.name} on {a.machine} ends at {a.end}, expected {expected}")
        if op.fixed and (a.machine, a.start) != tuple(op.fixed):
            problems.append(f"operation {op.name} is fixed at {op.fixed} but runs at {(a.machine, a.start)}")
        if job and job.deadline is not None and a.end > job.deadline:
            problems.append(f"operation {op.name} ends at {a.end}, after job {job.name}'s deadline {job.deadline}")
        by_machine[a.machine].append((a.start, a.end, op))
    for p in model.precedences:
        before, after = schedule.assignments.get(p.before), schedule.assignments.get(p.after)
        if before and after and after.start < before.end + p.lag:
            problems.append(
                f"operation {p.after} starts at {after.start}, before {p.before} ends ({before.end}) plus lag {p.lag}"
            )
    for name, placed in by_machine.items():
        placed.sort(key=lambda item: (item[0], item[1]))
        for (_s1, e1, o1), (s2, _e2, o2) in itertools.pairwise(placed):
            setup = machines[name].setup(o1.setup_family, o2.setup_family)
            if s2 < e1 + setup:
                problems.append(f"on {name}, {o2.name} starts at {s2} before {o1.name} ends ({e1}) plus setup {setup}")
    for pool in model.labour:
        events = []
        for op in model.operations:
            a = schedule.assignments.get(op.name)
            if a is not None and op.labour.get(pool.skill, 0) and a.end > a.start:
                events += [(a.start, op.labour[pool.skill]), (a.end, -op.labour[pool.skill])]
        busy = 0
        for time, change in sorted(events, key=lambda e: (e[0], e[1])):
            busy += change
            if busy > pool.capacity:
                problems.append(f"{busy} workers of skill {pool.skill} needed at {time}, {pool.capacity} available")
                break
    for name in schedule.assignments:
        if name not in ops:
            problems.append(f"the schedule places {name}, which is not in the model")
    return problems


def labour_and_changeovers(model: Model, schedule: Schedule) -> tuple[dict[str, dict], int]:
    """Per skill: the pool's capacity, the most workers busy at once and the worker-minutes
    booked; and the changeover minutes the sequence on each machine costs."""
    ops = {op.name: op for op in model.operations}
    labour = {}
    for pool in model.labour:
        events, minutes = [], 0
        for name, a in schedule.assignments.items():
            amount = ops[name].labour.get(pool.skill, 0)
            if amount and a.end > a.start:
                events += [(a.start, amount), (a.end, -amount)]
                minutes += amount * (a.end - a.start)
        peak = busy = 0
        for _moment, change in sorted(events):
            busy += change
            peak = max(peak, busy)
        labour[pool.skill] = {"capacity": pool.capacity, "peak": peak, "minutes": minutes}
    by_machine: dict[str, list] = {}
    for name, a in schedule.assignments.items():
        by_machine.setdefault(a.machine, []).append((a.start, ops[name].setup_family))
    changeover = 0
    for machine_name, placed in by_machine.items():
        machine = model.machine(machine_name)
        placed.sort(key=lambda p: p[0])
        changeover += sum(machine.setup(a[1], b[1]) for a, b in itertools.pairwise(placed))
    return labour, changeover
