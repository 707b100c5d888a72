"""Large-neighbourhood search for models too big for one CP-SAT model: windows of an incumbent.

A window frees the operations whose start in the incumbent lies in `[t0, t1)` on a set of
machines and keeps every other operation where it is. On each of those machines the freed
operations sit between the last kept operation before the window and the first one after it,
so the sub-model needs, per machine, only those two neighbours (their ends, starts and setup
families), the calendar gaps between them, and, for precedences and labour, the kept
operations as constants. The incumbent is a solution of every window, so a window never makes
the schedule worse; it is small (a few hundred operations), so CP-SAT solves it in a second or
two however large the plant.
"""

from __future__ import annotations

import bisect
import itertools
from collections import defaultdict

from ortools.sat.python import cp_model

from .analysis import Analysis
from .model import Assignment, Model, Schedule


class Window:
    """The CP-SAT model of one window; `schedule(solver)` is the incumbent with the window re-solved."""

    def __init__(
        self,
        model: Model,
        analysis: Analysis,
        incumbent: Schedule,
        *,
        t0: int,
        t1: int,
        machines: set[str],
        objective: str,
        caps: dict[str, int],
        slack: int,
    ):
        self.model, self.analysis, self.incumbent = model, analysis, incumbent
        self.cp = cp_model.CpModel()
        self.start: dict[str, cp_model.IntVar] = {}
        self.end: dict[str, cp_model.IntVar] = {}
        self.present: dict[tuple[str, str], object] = {}
        self.bounds: dict[str, tuple[int, int]] = {}
        inside = [(name, a) for name, a in incumbent.assignments.items() if t0 <= a.start < t1]
        fixed = {op.name for op in model.operations if op.fixed}
        # A machine with an operation pinned inside the window is left out of it.
        machines = set(machines) - {a.machine for name, a in inside if name in fixed}
        self.relaxed = {name for name, a in inside if a.machine in machines}
        self._build(t0, t1, machines, objective, caps, slack)

    def _build(self, t0, t1, machines, objective, caps, slack) -> None:
        model, an, cp, inc = self.model, self.analysis, self.cp, self.incumbent.assignments
        ops = {op.name: op for op in model.operations}
        jobs = {job.name: job for job in model.jobs}
        by_name = {m.name: m for m in model.machines}
        relaxed = self.relaxed
        # Per machine of the window: the kept neighbours the freed operations sit between.
        before: dict[str, tuple[int, str | None]] = {}
        after: dict[str, tuple[int, str | None]] = {}
        for m in machines:
            before[m], after[m] = (0, None), (an.horizon, None)
        for name, a in inc.items():
            if name in relaxed or a.machine not in machines:
                continue
            family = ops[name].setup_family
            if a.start < t0 and a.end >= before[a.machine][0]:
                before[a.machine] = (a.end, family)
            elif a.start >= t0 and a.start < after[a.machine][0]:
                after[a.machine] = (a.start, family)
        reach = max([t1, *(inc[n].end for n in relaxed)]) + slack
        intervals: dict[str, list] = defaultdict(list)
        hinted: dict[int, bool] = {}
        spans: dict[tuple[str, int], list] = defaultdict(list)
        for name in sorted(relaxed):
            op, job = ops[name], jobs[ops[name].job]
            low = an.release[name]
            for parent, lag in an.predecessors.get(name, []):
                if parent not in relaxed:
                    low = max(low, inc[parent].end + lag)
            high = min(an.horizon, reach)
            if job.deadline is not None:
                high = min(high, job.deadline)
            for child, lag in an.successors.get(name, []):
                if child not in relaxed:
                    high = min(high, inc[child].start - lag)
            options = [(m, d) for m, d in op.durations.items() if m in machines]
            low = max(low, min(before[m][0] for m, _d in options))
            self.bounds[name] = (low, max(low, high))
            start = cp.new_int_var(low, max(low, high), f"start_{name}")
            end = cp.new_int_var(low, max(low, high), f"end_{name}")
            self.start[name], self.end[name] = start, end
            choices = []
            for machine, duration in options:
                literal = cp.new_bool_var(f"on_{name}_{machine}") if len(options) > 1 else True
                if literal is not True:
                    choices.append(literal)
                    cp.add_hint(literal, inc[name].machine == machine)
                self.present[(name, machine)] = literal
                lo_m, hi_m = before[machine][0], after[machine][0]
                enforce = [] if literal is True else [literal]
                cp.add(start >= lo_m).only_enforce_if(enforce)
                cp.add(end <= hi_m).only_enforce_if(enforce)
                gaps = an.gaps[machine]
                size = duration
                here = inc[name].machine == machine
                if op.splittable and gaps:
                    first = bisect.bisect_right(gaps, max(low, lo_m), key=lambda g: g[1])
                    for index in range(first, len(gaps)):
                        gap_start, gap_end = gaps[index]
                        if gap_start >= min(high, hi_m):
                            break
                        spanned = cp.new_bool_var(f"spans_{name}_{machine}_{index}")
                        cp.add(start <= gap_start - 1).only_enforce_if(spanned)
                        cp.add(end >= gap_end + 1).only_enforce_if(spanned)
                        if literal is not True:
                            cp.add_implication(spanned, literal)
                        spans[(machine, index)].append(spanned)
                        cp.add_hint(spanned, here and inc[name].start < gap_start and inc[name].end > gap_end)
                        hinted[spanned.index] = here and inc[name].start < gap_start and inc[name].end > gap_end
                        size = size + (gap_end - gap_start) * spanned
                if size is not duration:
                    length = cp.new_int_var(duration, max(duration, high - low), f"length_{name}_{machine}")
                    cp.add(length == size)
                    cp.add_hint(length, inc[name].end - inc[name].start if here else duration)
                    size = length
                if literal is True:
                    interval = cp.new_interval_var(start, size, end, f"op_{name}_{machine}")
                else:
                    interval = cp.new_optional_interval_var(start, size, end, literal, f"op_{name}_{machine}")
                intervals[machine].append((name, interval, literal))
            if choices:
                cp.add_exactly_one(choices)
            cp.add_hint(start, inc[name].start)
            cp.add_hint(end, inc[name].end)
        for p in model.precedences:
            if p.before in relaxed and p.after in relaxed:
                cp.add(self.start[p.after] >= self.end[p.before] + p.lag)
        for machine, entries in intervals.items():
            lo_m, hi_m = before[machine][0], after[machine][0]
            members = [interval for _n, interval, _l in entries]
            gaps = an.gaps[machine]
            first = bisect.bisect_right(gaps, lo_m, key=lambda g: g[1])
            for index in range(first, len(gaps)):
                gap_start, gap_end = gaps[index]
                if gap_start >= min(hi_m, reach):
                    break
                spanned = spans.get((machine, index))
                if spanned:
                    kept = cp.new_bool_var(f"gap_{machine}_{index}")
                    cp.add_hint(kept, not any(hinted[literal.index] for literal in spanned))
                    cp.add_bool_or([kept, *spanned])
                    members.append(cp.new_optional_fixed_size_interval_var(gap_start, gap_end - gap_start, kept, "gap"))
                else:
                    members.append(cp.new_fixed_size_interval_var(gap_start, gap_end - gap_start, "gap"))
            if len(members) > 1:
                cp.add_no_overlap(members)
            self._setups(by_name[machine], entries, before[machine], after[machine], ops)
        self._labour(ops, relaxed)
        self._objectives(ops, jobs, relaxed, objective, caps)

    def _setups(self, machine, entries, before, after, ops) -> None:
        """A path through the freed operations on `machine`, from the kept one before the
        window to the kept one after it, with the changeover on every arc."""
        families = {ops[n].setup_family for n, _i, _l in entries} | {before[1], after[1]}
        if not any(machine.setup(a, b) for a in families for b in families):
            return
        cp, inc = self.cp, self.incumbent.assignments
        on = sorted((inc[n].start, i) for i, (n, _i, _l) in enumerate(entries, 1) if inc[n].machine == machine.name)
        chosen = {(a[1], b[1]) for a, b in itertools.pairwise(on)}
        chosen |= {(0, on[0][1]), (on[-1][1], 0)} if on else {(0, 0)}
        arcs = []
        if after[0] - before[0] >= machine.setup(before[1], after[1]):
            empty = cp.new_bool_var("")
            arcs.append((0, 0, empty))
            cp.add_hint(empty, (0, 0) in chosen)
        for i, (name, _interval, literal) in enumerate(entries, start=1):
            op = ops[name]
            first, last = cp.new_bool_var(""), cp.new_bool_var("")
            arcs += [(0, i, first), (i, 0, last)]
            cp.add(self.start[name] >= before[0] + machine.setup(before[1], op.setup_family)).only_enforce_if(first)
            cp.add(self.end[name] + machine.setup(op.setup_family, after[1]) <= after[0]).only_enforce_if(last)
            cp.add_hint(first, (0, i) in chosen)
            cp.add_hint(last, (i, 0) in chosen)
            if literal is not True:
                arcs.append((i, i, ~literal))
            for j, (other, _interval2, _literal2) in enumerate(entries, start=1):
                if i == j:
                    continue
                arc = cp.new_bool_var("")
                arcs.append((i, j, arc))
                cp.add_hint(arc, (i, j) in chosen)
                setup = machine.setup(op.setup_family, ops[other].setup_family)
                cp.add(self.start[other] >= self.end[name] + setup).only_enforce_if(arc)
        self.cp.add_circuit(arcs)

    def _labour(self, ops, relaxed) -> None:
        if not self.model.labour or not relaxed:
            return
        cp, inc = self.cp, self.incumbent.assignments
        low = min(self.bounds[n][0] for n in relaxed)
        high = max(self.bounds[n][1] for n in relaxed)
        for pool in self.model.labour:
            members, demands = [], []
            for name in sorted(relaxed):
                amount = ops[name].labour.get(pool.skill, 0)
                if amount:
                    low_end, high_end = self.bounds[name]
                    size = cp.new_int_var(0, high_end - low_end, "")
                    cp.add(size == self.end[name] - self.start[name])
                    cp.add_hint(size, inc[name].end - inc[name].start)
                    members.append(cp.new_interval_var(self.start[name], size, self.end[name], ""))
                    demands.append(amount)
            if not members:
                continue
            for name, a in inc.items():
                amount = ops[name].labour.get(pool.skill, 0)
                if name in relaxed or not amount or a.end <= low or a.start >= high or a.end <= a.start:
                    continue
                members.append(cp.new_fixed_size_interval_var(a.start, a.end - a.start, ""))
                demands.append(amount)
            cp.add_cumulative(members, demands, pool.capacity)

    def _objectives(self, ops, jobs, relaxed, objective, caps) -> None:
        cp, inc = self.cp, self.incumbent.assignments
        kept_end: dict[str, int] = defaultdict(int)
        freed: dict[str, list[str]] = defaultdict(list)
        for name, a in inc.items():
            if name in relaxed:
                freed[ops[name].job].append(name)
            else:
                kept_end[ops[name].job] = max(kept_end[ops[name].job], a.end)
        horizon = self.analysis.horizon
        makespan = cp.new_int_var(max(kept_end.values(), default=0), horizon, "makespan")
        cp.add_hint(makespan, max(a.end for a in inc.values()))
        for name in relaxed:
            cp.add(makespan >= self.end[name])
        constant, terms = 0, []
        for job in jobs.values():
            if job.due is None:
                continue
            if not freed.get(job.name):
                constant += job.weight * max(0, kept_end[job.name] - job.due)
                continue
            late = cp.new_int_var(max(0, kept_end[job.name] - job.due), horizon, f"tardiness_{job.name}")
            cp.add_hint(late, max([0, kept_end[job.name] - job.due, *(inc[n].end - job.due for n in freed[job.name])]))
            for name in freed[job.name]:
                cp.add(late >= self.end[name] - job.due)
            terms.append(job.weight * late)
        expressions = {"makespan": makespan, "weighted_tardiness": constant + sum(terms)}
        for name, value in caps.items():
            cp.add(expressions[name] <= value)
        cp.minimize(expressions[objective])

    def schedule(self, solver: cp_model.CpSolver, source: str) -> Schedule:
        assignments = dict(self.incumbent.assignments)
        for (name, machine), literal in self.present.items():
            if literal is True or solver.boolean_value(literal):
                assignments[name] = Assignment(
                    name, machine, solver.value(self.start[name]), solver.value(self.end[name])
                )
        return Schedule(assignments=assignments, source=source)
