"""The model in OR-Tools CP-SAT.

One interval per operation and eligible machine (optional when there are alternatives, exactly
one chosen), NoOverlap per machine with the calendar gaps as fixed intervals, a circuit per
machine for sequence-dependent setups, Cumulative per labour skill, precedences with lags,
release dates and deadlines, and the objective expressions (makespan, total weighted
tardiness). Heads (the work every operation needs before it) bound the start times, and a
lower bound from job lengths and machine loads bounds the makespan. A splittable operation on a machine
with gaps is lengthened by each gap it spans; the gap's interval then gives way to it.

`Built.restrict` fixes the machine and relative order of every operation outside a given set,
so the same model serves large-neighbourhood search around an incumbent.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

from ortools.sat.python import cp_model

from .analysis import Analysis
from .model import Assignment, Model, Schedule

OBJECTIVES = ("makespan", "weighted_tardiness")


class Built:
    """The CP-SAT model of a scheduling model, with handles on its variables."""

    def __init__(self, model: Model, analysis: Analysis, *, explain: bool = False):
        self.model = model
        self.analysis = analysis
        self.explain = explain
        self.cp = cp_model.CpModel()
        self.start: dict[str, cp_model.IntVar] = {}
        self.end: dict[str, cp_model.IntVar] = {}
        self.present: dict[tuple[str, str], object] = {}
        self.intervals: dict[str, list] = defaultdict(list)
        self.assumptions: dict[int, str] = {}
        self.arcs: dict[str, dict[tuple[int, int], object]] = {}
        self.nodes: dict[str, list[str]] = {}
        self.expressions: dict[str, object] = {}
        self.durations = {op.name: op.durations for op in model.operations}
        self._build()

    def _assumption(self, description: str):
        literal = self.cp.new_bool_var(description)
        self.cp.add_assumption(literal)
        self.assumptions[literal.index] = description
        return literal

    def _build(self) -> None:
        model, an, cp = self.model, self.analysis, self.cp
        horizon = an.horizon
        jobs = {job.name: job for job in model.jobs}
        machines = {m.name: m for m in model.machines}
        spans: dict[tuple[str, int], list] = defaultdict(list)
        for op in model.operations:
            job = jobs[op.job]
            low = 0 if self.explain else an.head[op.name]
            high_end = horizon
            if job.deadline is not None and not self.explain:
                high_end = min(horizon, job.deadline)
            start = cp.new_int_var(low, max(low, high_end), f"start_{op.name}")
            end = cp.new_int_var(low, max(low, high_end), f"end_{op.name}")
            self.start[op.name], self.end[op.name] = start, end
            if self.explain:
                if an.release[op.name]:
                    literal = self._assumption(
                        f"release of job {op.job} / operation {op.name} at {an.release[op.name]}"
                    )
                    cp.add(start >= an.release[op.name]).only_enforce_if(literal)
                if job.deadline is not None:
                    literal = self._assumption(f"deadline {job.deadline} of job {job.name}")
                    cp.add(end <= job.deadline).only_enforce_if(literal)
            choices = []
            for machine, duration in op.durations.items():
                literal = cp.new_bool_var(f"on_{op.name}_{machine}") if len(op.durations) > 1 else True
                if literal is not True:
                    choices.append(literal)
                self.present[(op.name, machine)] = literal
                gaps = an.gaps[machine]
                if op.splittable and gaps:
                    size = duration
                    for index, (gap_start, gap_end) in enumerate(gaps):
                        if gap_end <= low or gap_start >= horizon:
                            continue
                        spanned = cp.new_bool_var(f"spans_{op.name}_{machine}_{index}")
                        cp.add(start <= gap_start - 1).only_enforce_if(spanned)
                        cp.add(end >= gap_end + 1).only_enforce_if(spanned)
                        if literal is not True:
                            cp.add_implication(spanned, literal)
                        spans[(machine, index)].append(spanned)
                        size = size + (gap_end - gap_start) * spanned
                    length = cp.new_int_var(duration, horizon, f"length_{op.name}_{machine}")
                    cp.add(length == size)
                else:
                    length = duration
                if literal is True:
                    interval = cp.new_interval_var(start, length, end, f"op_{op.name}_{machine}")
                else:
                    interval = cp.new_optional_interval_var(start, length, end, literal, f"op_{op.name}_{machine}")
                self.intervals[machine].append((op, interval, literal))
            if choices:
                cp.add_exactly_one(choices)
            if op.fixed:
                machine, fixed_start = op.fixed
                literal = (
                    self._assumption(f"operation {op.name} fixed on {machine} at {fixed_start}")
                    if self.explain
                    else None
                )
                constraint = cp.add(start == fixed_start)
                if literal is not None:
                    constraint.only_enforce_if(literal)
                if self.present[(op.name, machine)] is not True:
                    implied = cp.add_bool_or([self.present[(op.name, machine)]])
                    if literal is not None:
                        implied.only_enforce_if(literal)
        for p in model.precedences:
            cp.add(self.start[p.after] >= self.end[p.before] + p.lag)
        for name, machine in machines.items():
            entries = list(self.intervals[name])
            intervals = [interval for _op, interval, _lit in entries]
            calendar = self._assumption(f"calendar of machine {name}") if self.explain and an.gaps[name] else None
            for index, (gap_start, gap_end) in enumerate(an.gaps[name]):
                if gap_start >= horizon:
                    continue
                spanned = spans.get((name, index))
                if spanned:
                    kept = cp.new_bool_var(f"gap_{name}_{index}")
                    rule = cp.add_bool_or([kept, *spanned])
                    if calendar is not None:
                        rule.only_enforce_if(calendar)
                    intervals.append(
                        cp.new_optional_fixed_size_interval_var(
                            gap_start, gap_end - gap_start, kept, f"gap_{name}_{index}"
                        )
                    )
                elif calendar is not None:
                    intervals.append(
                        cp.new_optional_fixed_size_interval_var(
                            gap_start, gap_end - gap_start, calendar, f"gap_{name}_{index}"
                        )
                    )
                else:
                    intervals.append(
                        cp.new_fixed_size_interval_var(gap_start, gap_end - gap_start, f"gap_{name}_{index}")
                    )
            if len(intervals) > 1:
                cp.add_no_overlap(intervals)
            families = {op.setup_family for op, _i, _l in entries}
            if len(entries) > 1 and any(machine.setup(a, b) for a in families for b in families):
                self._setups(machine, entries)
        for pool in model.labour:
            members = [
                (interval, op.labour[pool.skill])
                for m in machines
                for op, interval, _l in self.intervals[m]
                if op.labour.get(pool.skill)
            ]
            if members:
                cp.add_cumulative([i for i, _d in members], [d for _i, d in members], pool.capacity)
        self._objectives()

    def _setups(self, machine, entries) -> None:
        cp = self.cp
        arcs = [(0, 0, cp.new_bool_var(f"empty_{machine.name}"))]
        table: dict[tuple[int, int], object] = {}
        self.nodes[machine.name] = [op.name for op, _i, _l in entries]
        for i, (op, _interval, literal) in enumerate(entries, start=1):
            first, last = cp.new_bool_var(""), cp.new_bool_var("")
            arcs += [(0, i, first), (i, 0, last)]
            table[(0, i)], table[(i, 0)] = first, last
            if literal is not True:
                arcs.append((i, i, ~literal))
            for j, (other, _interval2, _literal2) in enumerate(entries, start=1):
                if i == j:
                    continue
                arc = cp.new_bool_var("")
                arcs.append((i, j, arc))
                table[(i, j)] = arc
                setup = machine.setup(op.setup_family, other.setup_family)
                cp.add(self.start[other.name] >= self.end[op.name] + setup).only_enforce_if(arc)
        cp.add_circuit(arcs)
        self.arcs[machine.name] = table

    def _objectives(self) -> None:
        model, an, cp = self.model, self.analysis, self.cp
        makespan = cp.new_int_var(0 if self.explain else an.makespan_bound, an.horizon, "makespan")
        # Only operations without successors: the precedences carry every other end to one of
        # them, so a row per operation would only load the LP relaxation.
        for op in model.operations:
            if not an.successors.get(op.name):
                cp.add(makespan >= self.end[op.name])
        terms = []
        members: dict[str, list[str]] = defaultdict(list)
        for op in model.operations:
            members[op.job].append(op.name)
        for job in model.jobs:
            if job.due is None or not members[job.name]:
                continue
            late = cp.new_int_var(0, an.horizon, f"tardiness_{job.name}")
            for name in members[job.name]:
                cp.add(late >= self.end[name] - job.due)
            terms.append(job.weight * late)
        self.expressions = {"makespan": makespan, "weighted_tardiness": sum(terms) if terms else 0}

    def cap(self, objective: str, value: int) -> None:
        """The objective may be at most `value`."""
        self.cp.add(self.expressions[objective] <= value)

    def floor(self, objective: str, value: int) -> None:
        self.cp.add(self.expressions[objective] >= value)

    def minimise(self, objective: str) -> None:
        self.cp.minimize(self.expressions[objective])

    def hint(self, schedule: Schedule) -> None:
        """Suggest `schedule` to the search (it need not be feasible)."""
        cp = self.cp
        cp.clear_hints()
        for name, a in schedule.assignments.items():
            if name not in self.start:
                continue
            cp.add_hint(self.start[name], a.start)
            cp.add_hint(self.end[name], a.end)
            for machine in self.durations[name]:
                literal = self.present[(name, machine)]
                if literal is not True:
                    cp.add_hint(literal, machine == a.machine)
        if not self.explain:
            ends = [a.end + self.analysis.tail[n] for n, a in schedule.assignments.items() if n in self.start]
            cp.add_hint(self.expressions["makespan"], max([self.analysis.makespan_bound, *ends]))
        for machine, table in self.arcs.items():
            names = self.nodes[machine]
            on = sorted(
                (schedule.assignments[n].start, i)
                for i, n in enumerate(names, start=1)
                if n in schedule.assignments and schedule.assignments[n].machine == machine
            )
            chosen = {(0, on[0][1]), (on[-1][1], 0)} if on else set()
            chosen |= {(a[1], b[1]) for a, b in itertools.pairwise(on)}
            for key, arc in table.items():
                cp.add_hint(arc, key in chosen)

    def restrict(self, incumbent: Schedule, relaxed: set[str]) -> None:
        """Keep the machine and the relative order of every operation not in `relaxed`."""
        cp = self.cp
        sequences: dict[str, list[tuple[int, str]]] = defaultdict(list)
        families = {op.name: op.setup_family for op in self.model.operations}
        machines = {m.name: m for m in self.model.machines}
        for name, a in incumbent.assignments.items():
            if name in relaxed or name not in self.start:
                continue
            literal = self.present[(name, a.machine)]
            if literal is not True:
                cp.add(literal == 1)
            sequences[a.machine].append((a.start, name))
        for machine, sequence in sequences.items():
            sequence.sort()
            for (_s, before), (_t, after) in itertools.pairwise(sequence):
                setup = machines[machine].setup(families[before], families[after])
                cp.add(self.start[after] >= self.end[before] + setup)

    def schedule(self, solver: cp_model.CpSolver, source: str) -> Schedule:
        assignments = {}
        for (name, machine), literal in self.present.items():
            if literal is True or solver.boolean_value(literal):
                assignments[name] = Assignment(
                    name, machine, solver.value(self.start[name]), solver.value(self.end[name])
                )
        return Schedule(assignments=assignments, source=source)
