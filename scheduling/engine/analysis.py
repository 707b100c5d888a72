"""Validation of a model and the static facts the dispatcher and the solver share.

`analyse` raises `ModelError` listing every problem with the name of its culprit (cyclic
precedences, an operation without an eligible machine, a calendar without capacity, ...) and
returns heads, tails, the horizon and a lower bound on the makespan; warnings (a job due before
it can finish) are kept on the result.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .calendars import earliest_start, finish, merge_gaps, working_time
from .model import Model


class ModelError(ValueError):
    """The model cannot be scheduled as given; `problems` names each culprit."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


class InfeasibleModel(ValueError):
    """The solver proved that no schedule satisfies the model; `reasons` names the constraints."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("no feasible schedule: " + ("; ".join(reasons) or "the constraints conflict"))


@dataclass
class Analysis:
    order: list[str]
    predecessors: dict[str, list[tuple[str, int]]]
    successors: dict[str, list[tuple[str, int]]]
    release: dict[str, int]
    head: dict[str, int]
    tail: dict[str, int]
    min_duration: dict[str, int]
    gaps: dict[str, list[tuple[int, int]]]
    horizon: int
    makespan_bound: int
    warnings: list[str] = field(default_factory=list)


def _find_cycle(names: list[str], successors: dict[str, list[tuple[str, int]]]) -> list[str]:
    colour: dict[str, int] = {}
    for root in names:
        if root in colour:
            continue
        stack, path = [(root, iter(successors[root]))], [root]
        colour[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            name = child[0]
            if colour.get(name) == 1:
                return [*path[path.index(name) :], name]
            if name not in colour:
                colour[name] = 1
                stack.append((name, iter(successors[name])))
                path.append(name)
    return []


def _horizon(model: Model, gaps: dict[str, list[tuple[int, int]]]) -> int:
    if model.horizon is not None:
        return model.horizon
    base = max([0] + [job.release for job in model.jobs] + [op.release for op in model.operations])
    base += sum(max(op.durations.values(), default=0) for op in model.operations)
    base += sum(max(0, p.lag) for p in model.precedences)
    base += max((op.fixed[1] for op in model.operations if op.fixed), default=0)
    for machine in model.machines:
        base += max(machine.setup_times.values(), default=0) * len(model.operations)
    horizon = max(base, 1)
    longest: dict[str, int] = {}
    for op in model.operations:
        for machine, duration in op.durations.items():
            longest[machine] = max(longest.get(machine, 0), duration)
    # Each gap a schedule meets costs at most its length plus the idle window before it (shorter
    # than the machine's longest operation, which could not fit there).
    for _ in range(100):
        extra = 0
        for machine, machine_gaps in gaps.items():
            if working_time(machine_gaps, 0, horizon) == 0:
                continue
            extra += sum(end - start + longest.get(machine, 0) for start, end in machine_gaps if start < horizon)
        if base + extra <= horizon:
            break
        horizon = base + extra
    return horizon


def analyse(model: Model) -> Analysis:
    """Check the model and compute what scheduling it needs; raise ModelError on bad input."""
    problems: list[str] = []
    warnings: list[str] = []
    for kind, items in (("machine", model.machines), ("job", model.jobs), ("operation", model.operations)):
        seen: set[str] = set()
        for item in items:
            if item.name in seen:
                problems.append(f"{kind} {item.name} is defined twice")
            seen.add(item.name)
    machines = {m.name: m for m in model.machines}
    jobs = {j.name: j for j in model.jobs}
    pools = {p.skill: p for p in model.labour}
    ops = {op.name: op for op in model.operations}
    gaps = {name: merge_gaps(m.unavailable) for name, m in machines.items()}
    for op in model.operations:
        if op.job not in jobs:
            problems.append(f"operation {op.name} belongs to job {op.job}, which is not in the model")
        unknown = [m for m in op.durations if m not in machines]
        if unknown:
            problems.append(f"operation {op.name} names machine(s) {', '.join(unknown)}, which are not in the model")
        if not [m for m in op.durations if m in machines]:
            problems.append(f"operation {op.name} has no eligible machine")
        if any(d < 0 for d in op.durations.values()):
            problems.append(f"operation {op.name} has a negative duration")
        for skill, amount in op.labour.items():
            if skill not in pools:
                problems.append(f"operation {op.name} needs skill {skill}, for which there is no labour pool")
            elif amount > pools[skill].capacity:
                problems.append(
                    f"operation {op.name} needs {amount} workers of skill {skill}, the pool has {pools[skill].capacity}"
                )
        if op.fixed and op.fixed[0] not in op.durations:
            problems.append(f"operation {op.name} is fixed on {op.fixed[0]}, which is not eligible for it")
    predecessors: dict[str, list[tuple[str, int]]] = defaultdict(list)
    successors: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for p in model.precedences:
        for name in (p.before, p.after):
            if name not in ops:
                problems.append(f"a precedence names operation {name}, which is not in the model")
        if p.before in ops and p.after in ops:
            successors[p.before].append((p.after, p.lag))
            predecessors[p.after].append((p.before, p.lag))
    if problems:
        raise ModelError(problems)
    names = [op.name for op in model.operations]
    cycle = _find_cycle(names, successors)
    if cycle:
        raise ModelError([f"precedences form a cycle: {' -> '.join(cycle)}"])
    indegree = {name: len(predecessors[name]) for name in names}
    order = [name for name in names if indegree[name] == 0]
    for name in order:
        for child, _lag in successors[name]:
            indegree[child] -= 1
            if indegree[child] == 0:
                order.append(child)
    horizon = _horizon(model, gaps)
    min_duration = {op.name: min(op.durations.values()) for op in model.operations}
    release = {op.name: max(op.release, jobs[op.job].release) for op in model.operations}
    head: dict[str, int] = {}
    for name in order:
        head[name] = max([release[name]] + [head[b] + min_duration[b] + lag for b, lag in predecessors[name]])
    tail: dict[str, int] = {}
    for name in reversed(order):
        tail[name] = max([0] + [lag + min_duration[a] + tail[a] for a, lag in successors[name]])
    for name, machine_gaps in gaps.items():
        if machine_gaps and working_time(machine_gaps, 0, horizon) == 0:
            problems.append(f"the calendar of machine {name} has no working time before the horizon {horizon}")
    for op in model.operations:
        fits = False
        for machine, duration in op.durations.items():
            # The earliest start from the head, and its end, bisect over the gaps (the same answer
            # as the working time or the longest window up to the horizon, in far fewer steps).
            start = earliest_start(gaps[machine], head[op.name], duration, op.splittable)
            end = finish(gaps[machine], start, duration, op.splittable)
            fits = fits or (end is not None and end <= horizon)
            if fits:
                break
        if not fits:
            problems.append(
                f"operation {op.name} fits in no working window of {', '.join(op.durations)} before the horizon {horizon}"
            )
    by_job: dict[str, list[str]] = defaultdict(list)
    for op in model.operations:
        by_job[op.job].append(op.name)
    for job in model.jobs:
        members = by_job[job.name]
        earliest = max((head[n] + min_duration[n] for n in members), default=job.release)
        if job.deadline is not None and earliest > job.deadline:
            problems.append(f"job {job.name} has deadline {job.deadline} but cannot finish before {earliest}")
        if job.due is not None and earliest > job.due:
            warnings.append(f"job {job.name} is due at {job.due} but cannot finish before {earliest}")
    if problems:
        raise ModelError(problems)
    bound = max([0] + [head[n] + min_duration[n] + tail[n] for n in names])
    by_machine: dict[str, list[str]] = defaultdict(list)
    for op in model.operations:
        if len(op.durations) == 1:
            by_machine[next(iter(op.durations))].append(op.name)
    for members in by_machine.values():
        load = sum(min_duration[n] for n in members)
        bound = max(bound, min(head[n] for n in members) + load + min(tail[n] for n in members))
    return Analysis(
        order=order,
        predecessors=predecessors,
        successors=successors,
        release=release,
        head=head,
        tail=tail,
        min_duration=min_duration,
        gaps=gaps,
        horizon=horizon,
        makespan_bound=bound,
        warnings=warnings,
    )
