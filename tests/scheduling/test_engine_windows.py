"""The engine on plant-like models: windows around the incumbent, load bounds, the time limit.

The plants are small (tens of orders) so each test runs in seconds; the window search is
forced on them by lowering the size above which the engine stops building the whole model.
"""

import random
import time

import pytest

from scheduling.engine import (
    RULES,
    Job,
    LabourPool,
    Machine,
    Model,
    Operation,
    check_schedule,
    dispatch,
    evaluate,
    solve,
)
from scheduling.engine import solver as engine_solver
from scheduling.engine.analysis import analyse
from scheduling.engine.bounds import lower_bounds, machine_groups
from scheduling.engine.window import Window

from .validity import assert_valid

DAY = 24 * 60


def shifts(days: int) -> list[tuple[int, int]]:
    """Two shifts a day (06:00-22:00), Sunday off."""
    gaps = []
    for day in range(days):
        start = day * DAY
        gaps += [(start, start + DAY)] if day % 7 == 6 else [(start, start + 360), (start + 1320, start + DAY)]
    return gaps


def plant(
    orders: int, *, seed: int = 3, centres: int = 3, per_centre: int = 3, labour: bool = False, due=(0.25, 2.0)
) -> Model:
    """Orders of 3 steps through different work centres, each on 2 of the centre's machines,
    with sequence-dependent setups, splittable work over the shift calendar, due dates."""
    rng = random.Random(seed)
    model = Model(horizon=40 * DAY)
    for c in range(centres):
        for m in range(per_centre):
            setups = {
                (f"c{c}f{a}", f"c{c}f{b}"): (0 if a == b else rng.randint(10, 30)) for a in range(3) for b in range(3)
            }
            model.machines.append(Machine(f"c{c}m{m}", unavailable=shifts(40), setup_times=setups))
    if labour:
        model.labour.append(LabourPool("setter", 2))
    for o in range(orders):
        ops = []
        for k, c in enumerate(rng.sample(range(centres), min(3, centres))):
            base = rng.randint(30, 150)
            machines = rng.sample(range(per_centre), 2)
            ops.append(
                Operation(
                    name=f"o{o}s{k}",
                    job=f"o{o}",
                    durations={f"c{c}m{m}": int(base * rng.uniform(0.9, 1.2)) for m in machines},
                    setup_family=f"c{c}f{rng.randrange(3)}",
                    splittable=k != 1,
                    labour={"setter": 1} if labour and k == 0 else {},
                )
            )
        model.add_job(Job(f"o{o}", due=int(rng.uniform(*due) * DAY), weight=rng.choice([1, 2, 3])), ops)
    return model


@pytest.fixture
def windows_only(monkeypatch):
    """Treat every model as too large to build whole."""
    monkeypatch.setattr(engine_solver, "LARGE", 0)


def best_dispatch(model: Model, objective: str) -> int:
    analysis = analyse(model)
    return min(evaluate(model, dispatch(model, rule, analysis=analysis))[objective] for rule in RULES)


def test_window_search_keeps_every_constraint_and_beats_the_dispatching_rules(windows_only):
    model = plant(40)
    start = best_dispatch(model, "weighted_tardiness")
    phases = []
    schedule = solve(
        model, objectives=("weighted_tardiness", "makespan"), time_limit=4, workers=2, progress=phases.append
    )
    assert_valid(model, schedule)
    assert check_schedule(model, schedule) == []
    assert {p.phase for p in phases} >= {"dispatch", "window", "done"}
    assert schedule.objectives["weighted_tardiness"] < start
    assert schedule.bound is not None and 0 < schedule.bound <= schedule.objectives["weighted_tardiness"]


def test_windows_respect_labour_pools_and_operations_already_running(windows_only):
    model = plant(25, seed=5, labour=True)
    first = dispatch(model, "ATC")
    running = model.operations[0]
    running.fixed = (first.assignments[running.name].machine, first.assignments[running.name].start)
    schedule = solve(model, objectives=("weighted_tardiness",), time_limit=4, workers=2)
    assert_valid(model, schedule)
    assert schedule.assignments[running.name].start == running.fixed[1]
    assert schedule.objectives["weighted_tardiness"] <= best_dispatch(model, "weighted_tardiness")


@pytest.mark.parametrize("machines", ["all", "one group"])
def test_a_window_has_the_incumbent_as_a_solution_and_keeps_the_rest_where_it_is(machines):
    from ortools.sat.python import cp_model

    model = plant(30, seed=11)
    analysis = analyse(model)
    incumbent = dispatch(model, "EDD", analysis=analysis)
    incumbent.objectives = evaluate(model, incumbent)
    order = sorted(incumbent.assignments.values(), key=lambda a: a.start)
    t0, t1 = order[20].start, order[50].start
    chosen = {m.name for m in model.machines} if machines == "all" else machine_groups(model)[0]
    window = Window(
        model,
        analysis,
        incumbent,
        t0=t0,
        t1=t1,
        machines=chosen,
        objective="weighted_tardiness",
        caps={"weighted_tardiness": incumbent.objectives["weighted_tardiness"]},
        slack=t1 - t0,
    )
    assert window.relaxed and all(incumbent.assignments[n].machine in chosen for n in window.relaxed)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.num_workers = 2
    assert solver.solve(window.cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    result = window.schedule(solver, source="window")
    assert_valid(model, result)
    assert evaluate(model, result)["weighted_tardiness"] <= incumbent.objectives["weighted_tardiness"]
    for name, a in incumbent.assignments.items():
        if name not in window.relaxed:
            assert result.assignments[name] == a


def test_load_bounds_never_exceed_a_proven_optimum():
    proven = 0
    for seed in (1, 2, 4):
        model = plant(5, seed=seed, centres=2, per_centre=2)
        model.horizon = 10 * DAY
        bounds = lower_bounds(model, analyse(model))
        for objective in ("weighted_tardiness", "makespan"):
            schedule = solve(model, objectives=(objective,), time_limit=5, workers=2)
            if schedule.status == "OPTIMAL":
                proven += 1
                assert bounds[objective] <= schedule.objectives[objective], (seed, objective)
    assert proven >= 4, "most of these small plants are solved to optimality"


def test_an_overloaded_plant_gets_a_positive_tardiness_bound():
    model = plant(60, centres=2, per_centre=2)
    bounds = lower_bounds(model, analyse(model))
    assert bounds["weighted_tardiness"] > 0
    assert bounds["weighted_tardiness"] <= best_dispatch(model, "weighted_tardiness")


@pytest.mark.parametrize("large", [0, 10**9], ids=["windows", "whole model"])
def test_the_time_limit_covers_building_and_solving(monkeypatch, large):
    """Every CP-SAT solve is given only what is left of the run's limit after the analysis,
    the dispatching rules and the model building before it (checked on the budgets handed
    out, not on the wall clock, so a loaded machine cannot make it fail)."""
    monkeypatch.setattr(engine_solver, "LARGE", large)
    budgets = []
    run = engine_solver._Search._run

    def recording(search, built, limit, **options):
        budgets.append((time.monotonic() - search.started, limit))
        return run(search, built, limit, **options)

    monkeypatch.setattr(engine_solver._Search, "_run", recording)
    model = plant(40 if large == 0 else 12, seed=8)
    schedule = solve(model, objectives=("weighted_tardiness", "makespan"), time_limit=3, workers=2)
    assert_valid(model, schedule)
    assert budgets
    for elapsed, limit in budgets:
        assert elapsed + limit <= 3 + 0.01
    assert 0 < schedule.build_seconds + schedule.solve_seconds <= schedule.seconds


@pytest.mark.parametrize("rule", RULES)
def test_every_dispatching_rule_keeps_calendars_setups_labour_and_routings(rule):
    model = plant(30, seed=13, labour=True)
    schedule = dispatch(model, rule)
    assert_valid(model, schedule)
    assert schedule.objectives == evaluate(model, schedule)
