"""The scheduling problem in plain Python: machines, labour, operations, precedences, jobs.

Times are integers (minutes, or any unit the caller chooses) counted from the model's origin 0.
Nothing here knows about Django; the planner's services translate work orders and routings
into this model and the solver's schedule back into records.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass
class Machine:
    """A resource that runs one operation at a time.

    `unavailable` lists fixed `(start, end)` intervals (calendar gaps: nights, weekends,
    maintenance) in which nothing may run. `setup_times` maps `(family_from, family_to)` to the
    changeover time between two consecutive operations of those setup families; a missing pair
    means no changeover.
    """

    name: str
    unavailable: list[tuple[int, int]] = field(default_factory=list)
    setup_times: dict[tuple[str, str], int] = field(default_factory=dict)

    def setup(self, before: str | None, after: str | None) -> int:
        if before is None or after is None:
            return 0
        return self.setup_times.get((before, after), 0)


@dataclass
class LabourPool:
    """Workers of one skill: at most `capacity` of them are busy at any time."""

    skill: str
    capacity: int


@dataclass
class Job:
    """An order whose operations are scheduled: release, due date and weight for tardiness.

    `deadline` is a hard limit on the end of its last operation (the due date is soft).
    """

    name: str
    release: int = 0
    due: int | None = None
    weight: int = 1
    deadline: int | None = None


@dataclass
class Operation:
    """One step of a job on one of its eligible machines.

    `durations` maps each eligible machine's name to the processing time there (one entry for
    a fixed machine, several for alternatives). `labour` maps a skill to the number of workers
    of that skill the operation occupies while it runs. `splittable` lets the operation pause
    over a calendar gap and resume after it; otherwise it must fit inside one working window.
    `fixed` pins the operation to `(machine, start)`, for work already running or done.
    """

    name: str
    job: str
    durations: dict[str, int]
    labour: dict[str, int] = field(default_factory=dict)
    setup_family: str | None = None
    release: int = 0
    splittable: bool = False
    fixed: tuple[str, int] | None = None


@dataclass
class Precedence:
    """`after` may start only `lag` time units after `before` ends."""

    before: str
    after: str
    lag: int = 0


@dataclass
class Model:
    """The whole problem. `horizon` bounds every time; None lets the engine compute one."""

    machines: list[Machine] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    precedences: list[Precedence] = field(default_factory=list)
    labour: list[LabourPool] = field(default_factory=list)
    horizon: int | None = None

    def machine(self, name: str) -> Machine:
        return self._index("machines")[name]

    def operation(self, name: str) -> Operation:
        return self._index("operations")[name]

    def job(self, name: str) -> Job:
        return self._index("jobs")[name]

    def _index(self, attribute: str) -> dict:
        items = getattr(self, attribute)
        return {item.name if hasattr(item, "name") else item.skill: item for item in items}

    def add_job(self, job: Job, operations: list[Operation]) -> None:
        """Add a job whose operations run in the given order (a routing)."""
        self.jobs.append(job)
        self.operations.extend(operations)
        for before, after in itertools.pairwise(operations):
            self.precedences.append(Precedence(before.name, after.name))

    def computed_horizon(self) -> int:
        """A horizon long enough for any schedule that runs one operation after another."""
        if self.horizon is not None:
            return self.horizon
        total = max([0] + [job.release for job in self.jobs] + [op.release for op in self.operations])
        total += sum(max(op.durations.values(), default=0) for op in self.operations)
        total += sum(p.lag for p in self.precedences if p.lag > 0)
        for machine in self.machines:
            total += max(machine.setup_times.values(), default=0) * len(self.operations)
            total += sum(end - start for start, end in machine.unavailable)
            total = max(total, max((end for _, end in machine.unavailable), default=0))
        total += max((op.fixed[1] for op in self.operations if op.fixed), default=0)
        return max(total, 1)


@dataclass
class Assignment:
    """Where and when one operation runs. `end` includes any calendar gap it spans."""

    operation: str
    machine: str
    start: int
    end: int


@dataclass
class Schedule:
    """A solution: one assignment per operation, and how it was obtained."""

    assignments: dict[str, Assignment]
    status: str = "FEASIBLE"
    objective: int | None = None
    bound: int | None = None
    source: str = ""
    seconds: float = 0.0
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    objectives: dict[str, int] = field(default_factory=dict)
    bounds: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def makespan(self) -> int:
        return max((a.end for a in self.assignments.values()), default=0)
