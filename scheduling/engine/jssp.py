"""Job-shop instances in the OR-Library format, as engine models, and the textbook CP-SAT model.

The file format: lines starting with `#` are comments; then `JOBS MACHINES`; then one line per
job of `MACHINE DURATION` pairs in processing order, machines numbered from 0.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from ortools.sat.python import cp_model

from .model import Job, Machine, Model, Operation, Schedule


class InstanceError(ValueError):
    """The file is not a job-shop instance in the OR-Library format."""


@dataclass
class Instance:
    name: str
    jobs: list[list[tuple[int, int]]]
    machines: int

    def trivial_bound(self) -> int:
        """The larger of the longest job and the busiest machine."""
        load = [0] * self.machines
        for job in self.jobs:
            for machine, duration in job:
                load[machine] += duration
        return max([sum(d for _m, d in job) for job in self.jobs] + load + [0])


def parse(path: str | Path) -> Instance:
    """Read an OR-Library job-shop file; InstanceError names what is wrong with it."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise InstanceError(f"cannot read {path}: {error.strerror}") from error
    rows = [line.split() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    try:
        numbers = [[int(token) for token in row] for row in rows]
    except ValueError as error:
        raise InstanceError(f"{path.name}: every value must be a whole number ({error})") from error
    if not numbers or len(numbers[0]) != 2:
        raise InstanceError(f"{path.name}: the first line must be 'JOBS MACHINES'")
    count, machines = numbers[0]
    if count < 1 or machines < 1:
        raise InstanceError(f"{path.name}: there must be at least one job and one machine")
    if len(numbers) - 1 != count:
        raise InstanceError(f"{path.name}: {count} jobs announced, {len(numbers) - 1} job lines found")
    jobs = []
    for index, row in enumerate(numbers[1:]):
        if len(row) % 2 or not row:
            raise InstanceError(f"{path.name}: job {index} must list MACHINE DURATION pairs")
        pairs = list(zip(row[0::2], row[1::2], strict=True))
        for machine, duration in pairs:
            if not 0 <= machine < machines:
                raise InstanceError(f"{path.name}: job {index} uses machine {machine}, outside 0-{machines - 1}")
            if duration < 0:
                raise InstanceError(f"{path.name}: job {index} has a negative duration")
        jobs.append(pairs)
    return Instance(name=path.name, jobs=jobs, machines=machines)


def op_name(job: int, index: int) -> str:
    return f"{job}.{index}"


def to_model(instance: Instance) -> Model:
    """The instance as an engine model: one job per line, its operations in a chain."""
    model = Model(machines=[Machine(name=str(m)) for m in range(instance.machines)])
    for j, job in enumerate(instance.jobs):
        operations = [
            Operation(name=op_name(j, k), job=str(j), durations={str(machine): duration})
            for k, (machine, duration) in enumerate(job)
        ]
        model.add_job(Job(name=str(j)), operations)
    return model


def schedule_rows(instance: Instance, schedule: Schedule) -> list[list[dict]]:
    """Per job, per operation in job order: machine, start and duration."""
    return [
        [
            {"machine": machine, "start": schedule.assignments[op_name(j, k)].start, "duration": duration}
            for k, (machine, duration) in enumerate(job)
        ]
        for j, job in enumerate(instance.jobs)
    ]


def solve_textbook(instance: Instance, *, time_limit: float, workers: int | None = None) -> dict:
    """OR-Tools' textbook job-shop model: intervals, NoOverlap per machine, job chains,
    minimise the makespan, nothing else. The reference our engine is measured against."""
    started = time.monotonic()
    cp = cp_model.CpModel()
    horizon = sum(d for job in instance.jobs for _m, d in job)
    per_machine: list[list] = [[] for _ in range(instance.machines)]
    ends = []
    for j, job in enumerate(instance.jobs):
        previous = None
        for k, (machine, duration) in enumerate(job):
            start = cp.new_int_var(0, horizon, f"s{j}_{k}")
            end = cp.new_int_var(0, horizon, f"e{j}_{k}")
            per_machine[machine].append(cp.new_interval_var(start, duration, end, f"i{j}_{k}"))
            if previous is not None:
                cp.add(start >= previous)
            previous = end
        ends.append(previous)
    for intervals in per_machine:
        cp.add_no_overlap(intervals)
    makespan = cp.new_int_var(0, horizon, "makespan")
    cp.add_max_equality(makespan, ends)
    cp.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = workers or os.cpu_count() or 1
    status = solver.solve(cp)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "makespan": int(solver.objective_value) if found else None,
        "lower_bound": int(-(-solver.best_objective_bound // 1)) if found else None,
        "status": solver.status_name(status),
        "seconds": round(time.monotonic() - started, 3),
    }


def solve_instance(instance: Instance, *, time_limit: float, workers: int | None = None, progress=None) -> dict:
    """The engine's schedule of a job-shop instance, as `jssp_solve --json` prints it."""
    from .solver import solve

    started = time.monotonic()
    schedule = solve(to_model(instance), time_limit=time_limit, workers=workers, progress=progress)
    makespan = schedule.makespan()
    bound = min(makespan, max(instance.trivial_bound(), schedule.bound or 0))
    return {
        "instance": instance.name,
        "makespan": makespan,
        "lower_bound": bound,
        "status": "OPTIMAL" if bound == makespan else "FEASIBLE",
        "seconds": round(time.monotonic() - started, 3),
        "schedule": schedule_rows(instance, schedule),
    }
