"""An independent check that a schedule obeys its model, used by every scheduling test.

Written from the model's definition, not from the engine's own checker, so a bug shared by the
solver and `check_schedule` still fails a test.
"""

import itertools

from scheduling.engine import Model, Schedule


def _gap_overlap(gaps, start, end) -> int:
    return sum(max(0, min(end, g_end) - max(start, g_start)) for g_start, g_end in gaps)


def assert_valid(model: Model, schedule: Schedule) -> None:
    ops = {op.name: op for op in model.operations}
    jobs = {job.name: job for job in model.jobs}
    machines = {m.name: m for m in model.machines}
    assert set(schedule.assignments) == set(ops), "every operation scheduled exactly once"
    for name, a in schedule.assignments.items():
        op = ops[name]
        assert a.machine in op.durations, f"{name} on an eligible machine"
        assert a.start >= op.release and a.start >= jobs[op.job].release, f"{name} after its release"
        gaps = machines[a.machine].unavailable
        inside = _gap_overlap(gaps, a.start, a.end)
        assert a.end - a.start - inside == op.durations[a.machine], f"{name} works exactly its duration"
        assert not any(g_start <= a.start < g_end for g_start, g_end in gaps), f"{name} starts in working time"
        if not op.splittable:
            assert inside == 0, f"{name} does not span a calendar gap"
        if op.fixed:
            assert (a.machine, a.start) == tuple(op.fixed), f"{name} stays where it was fixed"
        deadline = jobs[op.job].deadline
        assert deadline is None or a.end <= deadline, f"{name} meets its job's deadline"
    for p in model.precedences:
        assert schedule.assignments[p.after].start >= schedule.assignments[p.before].end + p.lag, (
            f"{p.before} before {p.after}"
        )
    names = list(ops)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            a, b = schedule.assignments[first], schedule.assignments[second]
            if a.machine != b.machine:
                continue
            m = machines[a.machine]
            forward = b.start >= a.end + m.setup(ops[first].setup_family, ops[second].setup_family)
            backward = a.start >= b.end + m.setup(ops[second].setup_family, ops[first].setup_family)
            assert forward or backward, f"{first} and {second} overlap on {a.machine} (setups included)"
    for pool in model.labour:
        times = {a.start for a in schedule.assignments.values()}
        for t in times:
            busy = sum(
                ops[n].labour.get(pool.skill, 0) for n, a in schedule.assignments.items() if a.start <= t < a.end
            )
            assert busy <= pool.capacity, f"at most {pool.capacity} {pool.skill} busy at {t}"


def assert_valid_jssp(jobs: list[list[tuple[int, int]]], rows: list[list[dict]], makespan: int) -> None:
    """A `jssp_solve` schedule: every job's operations in order on their machines, no overlap."""
    assert len(rows) == len(jobs)
    per_machine: dict[int, list[tuple[int, int]]] = {}
    end_of_all = 0
    for job, row in zip(jobs, rows, strict=True):
        assert [(op["machine"], op["duration"]) for op in row] == job
        for before, after in itertools.pairwise(row):
            assert after["start"] >= before["start"] + before["duration"]
        for op in row:
            assert op["start"] >= 0
            per_machine.setdefault(op["machine"], []).append((op["start"], op["start"] + op["duration"]))
            end_of_all = max(end_of_all, op["start"] + op["duration"])
    for spans in per_machine.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
            assert s2 >= e1, "no two operations overlap on a machine"
    assert end_of_all == makespan
