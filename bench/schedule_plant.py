"""The scheduling engine on a generated plant of 50 machines, 1,000 work orders and 5,000
operations, with shift calendars, alternative machines and sequence-dependent setups.

Figures, each beside its limit:

- seconds to the first feasible schedule (the dispatching-rule fallback the search starts
  from), against the limit of 10 s;
- the objective (total weighted tardiness, then makespan) after 60 s and 120 s of search (the
  limit covers analysis, dispatching, model building and solving), beside the best dispatching
  rule's and the engine's lower bound, and the gap between them; the run's seconds against its
  limit, with the model-building and solving seconds apart.

The plant: 10 work centres of 5 machines each; an order runs 5 operations on 5 different work
centres in a random routing order, each eligible on 2-3 machines of its centre (durations
differ by machine), with 4 setup families per centre; two 8-hour shifts a day, Monday to
Saturday; due dates spread over the horizon. Labour: every operation takes one operator (a pool
of 40 for the 50 machines), and those at the two inspection centres take an inspector as well
(a pool of 6 for their 10 machines), so labour binds besides the machines. The output reports each
pool's peak use and the changeover minutes of the schedule. No database is needed. One JSON line last.

    python bench/schedule_plant.py [--orders 1000] [--seed 7] [--limits 60,120] [--workers N]
"""

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.engine import (  # noqa: E402
    Job,
    LabourPool,
    Machine,
    Model,
    Operation,
    labour_and_changeovers,
    solve,
)

DAY = 24 * 60
CENTRES, PER_CENTRE, STEPS, FAMILIES = 10, 5, 5, 4
OPERATORS, INSPECTORS, INSPECTION_CENTRES = 40, 6, (8, 9)


def calendar(days: int) -> list[tuple[int, int]]:
    """Gaps of a two-shift calendar (06:00-22:00, Monday to Saturday), in minutes from Monday 00:00."""
    gaps = []
    for day in range(days):
        start = day * DAY
        if day % 7 == 6:
            gaps.append((start, start + DAY))
        else:
            gaps += [(start, start + 6 * 60), (start + 22 * 60, start + DAY)]
    return gaps


def plant(orders: int, seed: int) -> Model:
    rng = random.Random(seed)
    days = 60
    gaps = calendar(days)
    model = Model(horizon=days * DAY)
    model.labour = [LabourPool("operator", OPERATORS), LabourPool("inspector", INSPECTORS)]
    for c in range(CENTRES):
        for m in range(PER_CENTRE):
            setups = {
                (f"c{c}f{a}", f"c{c}f{b}"): (0 if a == b else rng.randint(10, 40))
                for a in range(FAMILIES)
                for b in range(FAMILIES)
            }
            model.machines.append(Machine(f"c{c}m{m}", unavailable=list(gaps), setup_times=setups))
    load = orders * STEPS * 75 / (CENTRES * PER_CENTRE * 2.5)  # mean minutes per machine
    for o in range(orders):
        route = rng.sample(range(CENTRES), STEPS)
        due = int(rng.uniform(0.3, 1.2) * load * 16 / 24 * 7 / 6 + 2 * DAY)
        ops = []
        for k, c in enumerate(route):
            base = rng.randint(20, 130)
            machines = rng.sample(range(PER_CENTRE), rng.randint(2, 3))
            ops.append(
                Operation(
                    name=f"o{o}s{k}",
                    job=f"o{o}",
                    durations={f"c{c}m{m}": int(base * rng.uniform(0.85, 1.25)) for m in machines},
                    setup_family=f"c{c}f{rng.randrange(FAMILIES)}",
                    labour={"operator": 1, **({"inspector": 1} if c in INSPECTION_CENTRES else {})},
                    splittable=True,
                )
            )
        model.add_job(Job(f"o{o}", due=due, weight=rng.choice([1, 1, 2, 3, 5])), ops)
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--limits", default="60,120")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    limits = [float(x) for x in args.limits.split(",") if x.strip()]

    started = time.monotonic()
    model = plant(args.orders, args.seed)
    built = time.monotonic() - started
    print(
        f"plant: {len(model.machines)} machines, {len(model.jobs)} orders, {len(model.operations)} operations "
        f"(built in {built:.2f} s)"
    )
    runs = []
    first_feasible = None
    for limit in limits:
        first, dispatched = [], []
        begun = time.monotonic()

        def progress(point, first=first, dispatched=dispatched, begun=begun):
            if point.value is not None and not first:
                first.append(time.monotonic() - begun)
            if point.phase == "dispatch" and point.objective == "weighted_tardiness":
                dispatched[:] = [point.value]

        schedule = solve(
            model,
            objectives=("weighted_tardiness", "makespan"),
            time_limit=limit,
            workers=args.workers,
            progress=progress,
        )
        seconds = time.monotonic() - begun
        if first_feasible is None and first:
            first_feasible = round(first[0], 2)
        value, bound = schedule.objectives["weighted_tardiness"], schedule.bounds.get("weighted_tardiness")
        labour, changeover = labour_and_changeovers(model, schedule)
        gap = round(100 * (value - bound) / value, 2) if value and bound is not None else (0.0 if value == 0 else None)
        runs.append(
            {
                "time_limit": limit,
                "seconds": round(seconds, 1),
                "build_seconds": schedule.build_seconds,
                "solve_seconds": schedule.solve_seconds,
                "dispatch_weighted_tardiness": dispatched[0] if dispatched else None,
                "weighted_tardiness": value,
                "bound": bound,
                "gap_percent": gap,
                "makespan": schedule.objectives["makespan"],
                "late_orders": schedule.objectives["late_jobs"],
                "changeover_minutes": changeover,
                "labour_peak": {skill: use["peak"] for skill, use in labour.items()},
                "labour_capacity": {skill: use["capacity"] for skill, use in labour.items()},
                "status": schedule.status,
                "source": schedule.source,
            }
        )
        print(
            f"{limit:>5.0f} s: weighted tardiness {value} (bound {bound}, gap {gap} %), makespan {schedule.makespan()}"
            f" min, {schedule.objectives['late_jobs']} late, from {schedule.source}; ran {seconds:.1f} s"
            f" (limit {limit:.0f} s; ratio {seconds / limit:.2f}; model building {schedule.build_seconds:.1f} s,"
            f" solving {schedule.solve_seconds:.1f} s); best dispatch rule {dispatched[0] if dispatched else None}"
        )
        print(
            f"        changeovers {changeover} min; labour peak "
            + ", ".join(f"{skill} {use['peak']}/{use['capacity']}" for skill, use in labour.items())
        )
    print(f"first feasible schedule: {first_feasible} s (limit 10 s; ratio {first_feasible / 10:.2f})")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores")
    print(
        json.dumps(
            {
                "benchmark": "schedule_plant",
                "machines": len(model.machines),
                "orders": len(model.jobs),
                "operations": len(model.operations),
                "first_feasible_seconds": first_feasible,
                "first_feasible_limit_seconds": 10,
                "runs": runs,
                "load_average": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
