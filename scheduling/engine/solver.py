"""Solving a model: dispatching rules first, then CP-SAT with large-neighbourhood search.

1. Every dispatching rule builds a schedule; the best valid one (and a valid warm start) is the
   fallback, so the result is never worse than it, and the best is the solver's first hint
   (a warm start is hinted in its place, so a reschedule stays close to the current plan).
2. For each objective in lexicographic order: a full CP-SAT search, then large-neighbourhood
   search around the incumbent (keep the machine and relative order of every operation outside
   a window in time, a few machines or a few jobs; re-solve the rest; the neighbourhood grows
   while CP-SAT solves it to optimality and shrinks while it does not), then a full search for a
   strictly better schedule that proves the incumbent optimal when it finds none. The objective
   is then capped at its value for the next one. Without `neighbourhoods` (the default) the
   full search, whose own interleaved worker runs CP-SAT's scheduling neighbourhoods around the
   incumbent, has the whole time: on job shops that did better than restarting it.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .analysis import Analysis, InfeasibleModel, analyse
from .bounds import lower_bounds, machine_groups
from .checks import check_schedule, evaluate
from .cpsat import OBJECTIVES, Built
from .dispatch import RULES, dispatch
from .model import Model, Schedule
from .window import Window


class NoScheduleFound(RuntimeError):
    """The time limit ran out before any schedule that meets every hard constraint was found."""


@dataclass
class Progress:
    """What the search has reached: the best objective value so far and the proven bound."""

    phase: str
    objective: str
    value: int | None
    bound: int | None
    seconds: float
    build_seconds: float = 0.0
    solve_seconds: float = 0.0


class _Reporter(cp_model.CpSolverSolutionCallback):
    def __init__(self, search: _Search, objective: str, phase: str, bound: Callable[[float], int]):
        super().__init__()
        self.search, self.objective, self.phase, self.bound = search, objective, phase, bound

    def on_solution_callback(self) -> None:
        self.search.report(self.phase, self.objective, int(self.objective_value), self.bound(self.best_objective_bound))


class _Search:
    def __init__(
        self, model: Model, analysis: Analysis, *, time_limit, workers, progress, seed, started, should_stop=None
    ):
        self.model, self.analysis = model, analysis
        self.should_stop = should_stop
        self.stopped = False
        # The time limit counts from the call to `solve`: analysis, dispatching, model building
        # and solving all spend it; each solve gets what is left.
        self.started = started
        self.deadline = self.started + time_limit
        self.build_seconds = 0.0
        self.solve_seconds = 0.0
        self.bounds = lower_bounds(model, analysis)
        self.workers = workers
        self.progress = progress
        self.rng = random.Random(seed)
        self.seed = seed

    def left(self) -> float:
        if self.stop_asked():
            return 0.0
        return self.deadline - time.monotonic()

    def stop_asked(self) -> bool:
        """True once `should_stop()` has said so: the search ends with the best schedule found."""
        if not self.stopped and self.should_stop is not None and self.should_stop():
            self.stopped = True
        return self.stopped

    def _watch(self, solver: cp_model.CpSolver, done: threading.Event) -> None:
        while not done.wait(0.25):
            if self.stop_asked():
                solver.stop_search()
                return

    def report(self, phase: str, objective: str, value, bound) -> None:
        if self.progress is not None:
            self.progress(
                Progress(
                    phase,
                    objective,
                    value,
                    bound,
                    round(time.monotonic() - self.started, 3),
                    round(self.build_seconds, 3),
                    round(self.solve_seconds, 3),
                )
            )

    def built(self, objective: str, caps: dict[str, int]) -> Built:
        begun = time.monotonic()
        built = Built(self.model, self.analysis)
        for name, value in caps.items():
            built.cap(name, value)
        built.minimise(objective)
        self.build_seconds += time.monotonic() - begun
        return built

    def window(self, incumbent: Schedule, objective: str, caps: dict[str, int], **window) -> Window:
        begun = time.monotonic()
        built = Window(self.model, self.analysis, incumbent, objective=objective, caps=caps, **window)
        self.build_seconds += time.monotonic() - begun
        return built

    def run(self, built, limit: float, *, objective: str, phase: str, report_bound: Callable | None):
        limit = min(limit, self.left())
        if limit < 0.05:
            return cp_model.UNKNOWN, None, None
        begun = time.monotonic()
        try:
            return self._run(built, limit, objective=objective, phase=phase, report_bound=report_bound)
        finally:
            self.solve_seconds += time.monotonic() - begun

    def _run(self, built, limit: float, *, objective: str, phase: str, report_bound: Callable | None):
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = self.rng.randrange(1 << 30)
        callback = None
        if report_bound is not None:
            callback = _Reporter(self, objective, phase, report_bound)
            solver.best_bound_callback = lambda bound: self.report(phase, objective, None, report_bound(bound))
        done = threading.Event()
        if self.should_stop is not None:
            threading.Thread(target=self._watch, args=(solver, done), daemon=True).start()
        try:
            status = solver.solve(built.cp, callback)
        finally:
            done.set()
        schedule = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            schedule = built.schedule(solver, source=phase)
            schedule.objectives = evaluate(self.model, schedule)
        bound = solver.best_objective_bound if status != cp_model.INFEASIBLE else None
        return status, schedule, bound


def _neighbourhood(kind: str, incumbent: Schedule, model: Model, size: int, rng: random.Random) -> set[str]:
    if kind == "window":
        order = sorted(incumbent.assignments.values(), key=lambda a: (a.start, a.end))
        first = rng.randrange(max(1, len(order) - size + 1))
        return {a.operation for a in order[first : first + size]}
    groups: dict[str, list[str]] = {}
    for op in model.operations:
        key = incumbent.assignments[op.name].machine if kind == "machines" else op.job
        groups.setdefault(key, []).append(op.name)
    keys = list(groups)
    rng.shuffle(keys)
    relaxed: set[str] = set()
    for key in keys:
        if len(relaxed) >= size:
            break
        relaxed.update(groups[key])
    return relaxed


def _optimise(
    search: _Search,
    objective: str,
    caps: dict,
    incumbent: Schedule | None,
    hint: Schedule | None,
    budget: float,
    neighbourhoods: bool,
):
    """Best schedule for `objective` within `budget` seconds, its bound and whether it is optimal."""
    finish_by = time.monotonic() + budget
    floor = search.bounds[objective]
    value = incumbent.objectives[objective] if incumbent else None

    def lift(raw: float) -> int:
        return max(floor, math.ceil(raw - 1e-6))

    built = search.built(objective, caps)
    if hint is not None:
        built.hint(hint)
    share = 0.3 if neighbourhoods else 1.0
    limit = (finish_by - time.monotonic()) * share
    status, found, raw = search.run(built, limit, objective=objective, phase="search", report_bound=lift)
    if status == cp_model.INFEASIBLE:
        return None, None, False, True
    if found is not None and (value is None or found.objectives[objective] <= value):
        incumbent, value = found, found.objectives[objective]
    if raw is not None:
        floor = lift(raw)
    if incumbent is None:
        return None, floor, False, False
    if status == cp_model.OPTIMAL or value <= floor:
        return incumbent, value, True, False
    if neighbourhoods:
        count = len(search.model.operations)
        size = max(2, min(count, int(0.2 * count)))
        step = max(0.3, min(5.0, budget / 40))
        kinds = ["window", "window", "machines", "jobs"]
        while value > floor and finish_by - time.monotonic() > 0.2 * budget:
            relaxed = _neighbourhood(search.rng.choice(kinds), incumbent, search.model, size, search.rng)
            built = search.built(objective, caps)
            built.cap(objective, value)
            built.floor(objective, floor)
            built.restrict(incumbent, relaxed)
            built.hint(incumbent)
            status, found, _raw = search.run(
                built,
                min(step, finish_by - time.monotonic()),
                objective=objective,
                phase="neighbourhood",
                report_bound=None,
            )
            if found is not None and found.objectives[objective] <= value:
                if found.objectives[objective] < value:
                    search.report("neighbourhood", objective, found.objectives[objective], floor)
                incumbent, value = found, found.objectives[objective]
            if status == cp_model.OPTIMAL or status == cp_model.INFEASIBLE:
                size = min(count, int(size * 1.2) + 1)
            else:
                size = max(2, int(size / 1.2))
    if value > floor and finish_by - time.monotonic() > 0.05:
        built = search.built(objective, caps)
        built.cap(objective, value - 1)
        built.floor(objective, floor)
        built.hint(incumbent)
        status, found, raw = search.run(
            built,
            finish_by - time.monotonic(),
            objective=objective,
            phase="proof",
            report_bound=lambda b: min(value, lift(b)),
        )
        if status == cp_model.INFEASIBLE:
            floor = value
        elif found is not None:
            incumbent, value = found, found.objectives[objective]
            floor = value if status == cp_model.OPTIMAL else max(floor, min(value, lift(raw)))
    return incumbent, floor, value is not None and value <= floor, False


# Above this many estimated model terms per second of the time limit, the search works on
# windows only: building the whole model would eat the budget (about 20,000 terms a second).
LARGE = 5_000
LARGE_RULES = {"weighted_tardiness": ("ATC", "EDD"), "makespan": ("MWKR", "SPT")}


def model_size(model: Model, analysis: Analysis) -> int:
    """About how many variables and arcs the full CP-SAT model of `model` would have: one
    interval per eligible machine, one literal per calendar gap a splittable operation could
    span there, and one arc per ordered pair of operations on a machine with setups."""
    size = 0
    candidates: dict[str, int] = {}
    for op in model.operations:
        for machine in op.durations:
            candidates[machine] = candidates.get(machine, 0) + 1
            size += 1
            if op.splittable:
                gaps = analysis.gaps[machine]
                size += len(gaps) - bisect.bisect_right(gaps, analysis.head[op.name], key=lambda g: g[1])
    for machine in model.machines:
        if any(machine.setup_times.values()):
            size += candidates.get(machine.name, 0) ** 2
    return size


def _optimise_windows(search: _Search, objective: str, caps: dict, incumbent: Schedule, budget: float):
    """Large-neighbourhood search over windows of the incumbent (see `window.py`) for models
    too large to build whole: the incumbent never gets worse; the bound is `lower_bounds`'."""
    finish_by = time.monotonic() + budget
    floor = search.bounds[objective]
    value = incumbent.objectives[objective]
    model, rng = search.model, search.rng
    groups = [group for group in machine_groups(model) if group]
    group_of = {name: group for group in groups for name in group}
    every = {m.name for m in model.machines}
    jobs = {job.name: job for job in model.jobs}
    job_of = {op.name: op.job for op in model.operations}
    # The window's size in freed operations per machine it spans: the setup circuits grow with
    # its square.
    per_machine, step = {"all": 3.0, "group": 4.0}, 2.0
    while value > floor and finish_by - time.monotonic() > 0.3:
        order = sorted(incumbent.assignments.values(), key=lambda a: (a.start, a.end))
        anchor = None
        if objective == "weighted_tardiness":
            ends: dict[str, int] = {}
            for a in order:
                ends[job_of[a.operation]] = max(ends.get(job_of[a.operation], 0), a.end)
            late = [
                (name, jobs[name].weight * (end - jobs[name].due))
                for name, end in ends.items()
                if jobs[name].due is not None and end > jobs[name].due
            ]
            if late:
                job = rng.choices([n for n, _t in late], weights=[t for _n, t in late])[0]
                members = [i for i, a in enumerate(order) if job_of[a.operation] == job]
                anchor = rng.choice(members)
        if anchor is None:
            low = int(0.5 * len(order)) if objective == "makespan" else 0
            anchor = rng.randrange(low, len(order))
        kind = "all" if rng.random() < 0.5 else "group"
        machines = every if kind == "all" else group_of[order[anchor].machine]
        pool = [a for a in order if a.machine in machines]
        size = max(2, int(per_machine[kind] * len(machines)))
        at = next(i for i, a in enumerate(pool) if a.operation == order[anchor].operation)
        first = max(0, at - int(0.7 * size))
        last = min(len(pool), first + size)
        t0 = pool[first].start
        t1 = pool[last].start if last < len(pool) else pool[-1].start + 1
        if t1 <= t0:
            t1 = t0 + 1
        built = search.window(incumbent, objective, caps, t0=t0, t1=t1, machines=set(machines), slack=max(60, t1 - t0))
        status, found, _raw = search.run(
            built, min(step, finish_by - time.monotonic()), objective=objective, phase="window", report_bound=None
        )
        if found is not None:
            found.objectives = evaluate(model, found)
            if found.objectives[objective] <= value:
                if found.objectives[objective] < value:
                    search.report("window", objective, found.objectives[objective], floor)
                incumbent, value = found, found.objectives[objective]
        if status == cp_model.OPTIMAL:
            per_machine[kind] = min(40.0, per_machine[kind] * 1.2)
        else:
            per_machine[kind] = max(1.0, per_machine[kind] / (1.2 if found is not None else 1.5))
    return incumbent, floor, value <= floor, False


def explain_infeasibility(model: Model, *, analysis: Analysis | None = None, time_limit: float = 10.0) -> list[str]:
    """The constraints (releases, deadlines, fixed operations, calendars) that together admit
    no schedule, as CP-SAT's sufficient assumptions for infeasibility; empty if it cannot tell."""
    analysis = analysis or analyse(model)
    built = Built(model, analysis, explain=True)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    if solver.solve(built.cp) != cp_model.INFEASIBLE:
        return []
    return [built.assumptions[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in built.assumptions]


def solve(
    model: Model,
    *,
    objectives: tuple[str, ...] | list[str] = ("makespan",),
    time_limit: float = 10.0,
    workers: int | None = None,
    warm_start: Schedule | None = None,
    progress: Callable[[Progress], None] | None = None,
    seed: int = 0,
    neighbourhoods: bool = False,
    should_stop: Callable[[], bool] | None = None,
) -> Schedule:
    """The best schedule found within `time_limit` seconds, minimising `objectives` in
    lexicographic order. Raises ModelError for bad input, InfeasibleModel (with the culprit
    constraints) when no schedule exists, NoScheduleFound when time runs out first.
    `should_stop()` (polled about four times a second) ends the search early, like the time limit:
    the result is the best schedule found by then, `status` "FEASIBLE"."""
    objectives = tuple(objectives)
    unknown = [o for o in objectives if o not in OBJECTIVES]
    if not objectives or unknown:
        raise ValueError(f"objectives must be chosen from {', '.join(OBJECTIVES)}")
    started = time.monotonic()
    analysis = analyse(model)
    workers = workers or os.cpu_count() or 1
    search = _Search(
        model,
        analysis,
        time_limit=time_limit,
        workers=workers,
        progress=progress,
        seed=seed,
        started=started,
        should_stop=should_stop,
    )

    def key(schedule: Schedule) -> tuple:
        return tuple(schedule.objectives[o] for o in objectives)

    large = model_size(model, analysis) > LARGE * time_limit
    # On a large model each rule costs seconds of the budget: only the rules suited to the
    # first objective run, the likeliest best first.
    rules = LARGE_RULES[objectives[0]] if large else RULES
    candidates, fallback = [], None
    if warm_start is not None:
        warm_start = Schedule(assignments=dict(warm_start.assignments), source="warm start")
        warm_start.objectives = evaluate(model, warm_start)
    # Each valid schedule that beats the ones before it is reported at once: the first comes
    # after one dispatching pass.
    for candidate in itertools.chain((dispatch(model, rule, analysis=analysis) for rule in rules), [warm_start]):
        if candidate is None:
            continue
        candidates.append(candidate)
        if not check_schedule(model, candidate) and (fallback is None or key(candidate) < key(fallback)):
            fallback = candidate
            search.report("dispatch", objectives[0], fallback.objectives[objectives[0]], None)
    hint = warm_start if warm_start is not None else min(candidates, key=key)
    caps: dict[str, int] = {}
    bounds: dict[str, int] = {}
    proven = True
    incumbent = fallback
    for index, objective in enumerate(objectives):
        left = search.left()
        budget = left if index == len(objectives) - 1 else left * 0.7
        if large and incumbent is not None:
            best, bound, optimal, infeasible = _optimise_windows(search, objective, caps, incumbent, budget)
        else:
            best, bound, optimal, infeasible = _optimise(
                search, objective, caps, incumbent, hint if index == 0 else incumbent, budget, neighbourhoods
            )
        if infeasible:
            raise InfeasibleModel(explain_infeasibility(model, analysis=analysis, time_limit=max(1.0, search.left())))
        if best is None:
            raise NoScheduleFound(f"no schedule meeting every hard constraint was found within {time_limit} s")
        incumbent = best
        caps[objective] = best.objectives[objective]
        bounds[objective] = bound
        proven = proven and optimal
    result = incumbent
    if fallback is not None and key(fallback) < key(result):
        result = fallback
        proven = False
    result.status = "OPTIMAL" if proven and not search.stopped else "FEASIBLE"
    result.objective = result.objectives[objectives[0]]
    result.bounds = bounds
    result.bound = bounds.get(objectives[0])
    result.seconds = round(time.monotonic() - started, 3)
    result.build_seconds = round(search.build_seconds, 3)
    result.solve_seconds = round(search.solve_seconds, 3)
    result.warnings = list(analysis.warnings)
    search.report("done", objectives[0], result.objective, result.bound)
    return result
