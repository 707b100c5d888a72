"""The engine on small models whose best schedules are known by hand."""

import pytest

from scheduling.engine import (
    RULES,
    Assignment,
    InfeasibleModel,
    Job,
    LabourPool,
    Machine,
    Model,
    ModelError,
    Operation,
    Precedence,
    Schedule,
    check_schedule,
    dispatch,
    evaluate,
    solve,
)

from .validity import assert_valid

LIMIT = 5.0


def chain(model: Model, job: str, steps, **job_fields) -> None:
    """A job whose steps (machine, duration) run in order on fixed machines."""
    ops = [Operation(name=f"{job}.{i}", job=job, durations={m: d}) for i, (m, d) in enumerate(steps)]
    model.add_job(Job(name=job, **job_fields), ops)


def two_machine_shop() -> Model:
    model = Model(machines=[Machine("A"), Machine("B")])
    chain(model, "j1", [("A", 3), ("B", 2)])
    chain(model, "j2", [("B", 4), ("A", 1)])
    chain(model, "j3", [("A", 2), ("B", 3)])
    return model


def test_precedences_and_no_overlap_give_the_optimum():
    model = two_machine_shop()
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    # B carries 9 units of work and cannot start before 0: 9 is a bound, and it is reached.
    assert schedule.makespan() == 9
    assert schedule.status == "OPTIMAL"
    assert schedule.bound == 9


def test_alternative_machines_share_the_work():
    model = Model(machines=[Machine("fast"), Machine("slow")])
    for name in ("p", "q"):
        model.add_job(Job(name), [Operation(name, name, durations={"fast": 10, "slow": 15})])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.makespan() == 15
    assert {a.machine for a in schedule.assignments.values()} == {"fast", "slow"}


def test_an_operation_does_not_span_a_calendar_gap():
    model = Model(machines=[Machine("M", unavailable=[(5, 10)])])
    model.add_job(Job("j"), [Operation("long", "j", durations={"M": 6})])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert (schedule.assignments["long"].start, schedule.assignments["long"].end) == (10, 16)


def test_a_splittable_operation_pauses_over_the_gap():
    model = Model(machines=[Machine("M", unavailable=[(5, 10)])])
    model.add_job(Job("j"), [Operation("long", "j", durations={"M": 6}, splittable=True)])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert (schedule.assignments["long"].start, schedule.assignments["long"].end) == (0, 11)


def test_short_work_fills_the_window_before_a_gap():
    model = Model(machines=[Machine("M", unavailable=[(5, 10)])])
    model.add_job(Job("a"), [Operation("six", "a", durations={"M": 6})])
    model.add_job(Job("b"), [Operation("four", "b", durations={"M": 4})])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.makespan() == 16
    assert schedule.assignments["four"].end <= 5


def test_sequence_dependent_setups_group_families():
    setups = {("red", "blue"): 10, ("blue", "red"): 10}
    model = Model(machines=[Machine("press", setup_times=setups)])
    for name, family in (("r1", "red"), ("b1", "blue"), ("r2", "red")):
        model.add_job(Job(name), [Operation(name, name, durations={"press": 1}, setup_family=family)])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    # Both reds together, one changeover: 1 + 1 + 10 + 1.
    assert schedule.makespan() == 13
    for rule in RULES:
        assert not check_schedule(model, dispatch(model, rule))


def test_labour_by_skill_limits_parallel_work():
    model = Model(machines=[Machine("A"), Machine("B")], labour=[LabourPool("welder", 1)])
    for name, machine in (("x", "A"), ("y", "B")):
        model.add_job(Job(name), [Operation(name, name, durations={machine: 5}, labour={"welder": 1})])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.makespan() == 10


def test_release_dates_hold_operations_back():
    model = Model(machines=[Machine("M")])
    model.add_job(Job("late", release=7), [Operation("op", "late", durations={"M": 2})])
    model.add_job(Job("early"), [Operation("first", "early", durations={"M": 3}, release=1)])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.assignments["op"].start == 7
    assert schedule.assignments["first"].start >= 1


def tardiness_model() -> Model:
    model = Model(machines=[Machine("M")])
    model.add_job(Job("big", due=10, weight=1), [Operation("big", "big", durations={"M": 10})])
    model.add_job(Job("rush", due=1, weight=5), [Operation("rush", "rush", durations={"M": 1})])
    model.add_job(Job("filler"), [Operation("filler", "filler", durations={"M": 4})])
    return model


def test_weighted_tardiness_puts_the_rush_order_first():
    model = tardiness_model()
    schedule = solve(model, objectives=["weighted_tardiness"], time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.objectives["weighted_tardiness"] == 1
    assert schedule.assignments["rush"].start == 0


def test_lexicographic_objectives_keep_the_first_and_improve_the_second():
    model = Model(machines=[Machine("A"), Machine("B")])
    model.add_job(Job("due", due=5), [Operation("due", "due", durations={"A": 5, "B": 5})])
    model.add_job(Job("free"), [Operation("f1", "free", durations={"A": 3})])
    model.add_job(Job("free2"), [Operation("f2", "free2", durations={"A": 3, "B": 3})])
    schedule = solve(model, objectives=("weighted_tardiness", "makespan"), time_limit=LIMIT)
    assert_valid(model, schedule)
    # On time needs "due" at 0; then the two 3-unit jobs share A and B around it: 3 + 3 on A.
    assert schedule.objectives["weighted_tardiness"] == 0
    assert schedule.makespan() == 6
    assert schedule.bounds == {"weighted_tardiness": 0, "makespan": 6}
    assert schedule.status == "OPTIMAL"


def test_warm_start_is_kept_when_it_is_already_best():
    model = two_machine_shop()
    first = solve(model, time_limit=LIMIT)
    again = solve(model, time_limit=LIMIT, warm_start=first)
    assert_valid(model, again)
    assert again.makespan() == first.makespan()


def test_an_invalid_warm_start_is_only_a_hint():
    model = two_machine_shop()
    broken = Schedule({op.name: Assignment(op.name, next(iter(op.durations)), 0, 1) for op in model.operations})
    schedule = solve(model, time_limit=LIMIT, warm_start=broken)
    assert_valid(model, schedule)
    assert schedule.makespan() == 9


def random_shop(jobs: int, machines: int, seed: int) -> Model:
    import random

    rng = random.Random(seed)
    model = Model(machines=[Machine(str(m)) for m in range(machines)])
    for j in range(jobs):
        order = list(range(machines))
        rng.shuffle(order)
        chain(model, f"j{j}", [(str(m), rng.randint(1, 99)) for m in order], due=rng.randint(100, 600))
    return model


def test_the_result_is_never_worse_than_the_dispatching_rules():
    model = random_shop(15, 10, seed=3)
    rules = [dispatch(model, rule) for rule in RULES]
    for objective in ("makespan", "weighted_tardiness"):
        schedule = solve(model, objectives=[objective], time_limit=0.05)
        assert_valid(model, schedule)
        assert schedule.objectives[objective] <= min(r.objectives[objective] for r in rules)


def test_neighbourhood_search_keeps_schedules_valid_and_reports_progress():
    model = random_shop(8, 5, seed=1)
    seen = []
    schedule = solve(model, time_limit=3.0, neighbourhoods=True, progress=seen.append)
    assert_valid(model, schedule)
    values = [p.value for p in seen if p.value is not None]
    assert values and values[-1] == schedule.makespan()
    assert values == sorted(values, reverse=True)
    assert all(p.bound is None or p.bound <= schedule.makespan() for p in seen)


def test_dispatching_rules_respect_every_constraint():
    model = Model(
        machines=[Machine("A", unavailable=[(10, 20)], setup_times={("x", "y"): 3}), Machine("B")],
        labour=[LabourPool("fitter", 1)],
    )
    for j in range(6):
        ops = [
            Operation(f"{j}.0", str(j), durations={"A": 4, "B": 6}, setup_family="xy"[j % 2], labour={"fitter": 1}),
            Operation(f"{j}.1", str(j), durations={"A": 7}, splittable=j % 2 == 0, setup_family="x"),
        ]
        model.add_job(Job(str(j), release=j, due=30), ops)
    for rule in RULES:
        schedule = dispatch(model, rule)
        assert_valid(model, schedule)
    best = solve(model, time_limit=LIMIT)
    assert_valid(model, best)


def test_the_checker_finds_an_overlap():
    model = two_machine_shop()
    schedule = solve(model, time_limit=LIMIT)
    first = schedule.assignments["j1.0"]
    schedule.assignments["j3.0"] = Assignment("j3.0", "A", first.start, first.start + 2)
    problems = check_schedule(model, schedule)
    assert any("j3.0" in p for p in problems)
    assert evaluate(model, schedule)["makespan"] == schedule.makespan()


def test_cyclic_precedences_are_named():
    model = two_machine_shop()
    model.precedences.append(Precedence("j1.1", "j1.0"))
    with pytest.raises(ModelError, match=r"cycle: j1\.(0|1) -> j1\.(0|1) -> j1\.(0|1)"):
        solve(model, time_limit=LIMIT)


def test_an_operation_without_eligible_machine_is_named():
    model = two_machine_shop()
    model.add_job(Job("orphan"), [Operation("orphan.0", "orphan", durations={})])
    with pytest.raises(ModelError, match=r"operation orphan\.0 has no eligible machine"):
        solve(model, time_limit=LIMIT)


def test_a_calendar_without_capacity_is_named():
    model = Model(machines=[Machine("idle", unavailable=[(0, 1000)])], horizon=500)
    model.add_job(Job("j"), [Operation("op", "j", durations={"idle": 5})])
    with pytest.raises(ModelError, match="calendar of machine idle has no working time"):
        solve(model, time_limit=LIMIT)


def test_an_operation_longer_than_every_window_is_named():
    model = Model(machines=[Machine("M", unavailable=[(8, 24), (32, 48)])], horizon=48)
    model.add_job(Job("j"), [Operation("op", "j", durations={"M": 10})])
    with pytest.raises(ModelError, match="operation op fits in no working window of M"):
        solve(model, time_limit=LIMIT)


def test_a_due_date_before_the_earliest_finish_is_a_warning():
    model = Model(machines=[Machine("M")])
    model.add_job(Job("j", release=10, due=5), [Operation("op", "j", durations={"M": 2})])
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.warnings == ["job j is due at 5 but cannot finish before 12"]


def test_conflicting_deadlines_are_explained():
    model = Model(machines=[Machine("M")])
    for name in ("a", "b"):
        model.add_job(Job(name, deadline=15), [Operation(name, name, durations={"M": 10})])
    with pytest.raises(InfeasibleModel) as raised:
        solve(model, time_limit=LIMIT)
    assert sorted(raised.value.reasons) == ["deadline 15 of job a", "deadline 15 of job b"]


def test_conflicting_fixed_operations_are_explained():
    model = Model(machines=[Machine("M")])
    model.add_job(Job("a"), [Operation("a", "a", durations={"M": 10}, fixed=("M", 0))])
    model.add_job(Job("b"), [Operation("b", "b", durations={"M": 10}, fixed=("M", 5))])
    model.add_job(Job("c"), [Operation("c", "c", durations={"M": 1})])
    with pytest.raises(InfeasibleModel) as raised:
        solve(model, time_limit=LIMIT)
    assert sorted(raised.value.reasons) == ["operation a fixed on M at 0", "operation b fixed on M at 5"]


def test_fixed_operations_stay_and_others_plan_around_them():
    model = two_machine_shop()
    model.operations[0].fixed = ("A", 4)
    schedule = solve(model, time_limit=LIMIT)
    assert_valid(model, schedule)
    assert schedule.assignments["j1.0"].start == 4


def test_should_stop_ends_the_search_with_the_best_schedule_so_far():
    import random
    import time

    from scheduling.engine import Job, Machine, Model, Operation, solve

    rng = random.Random(7)  # a 15 x 15 job shop: far from proven optimal in half a second
    model = Model(machines=[Machine(f"m{i}") for i in range(15)])
    for j in range(15):
        order = rng.sample(range(15), 15)
        model.add_job(
            Job(f"j{j}"), [Operation(f"j{j}o{k}", f"j{j}", {f"m{m}": rng.randint(1, 99)}) for k, m in enumerate(order)]
        )
    asked = time.monotonic()
    schedule = solve(model, time_limit=60, workers=1, should_stop=lambda: time.monotonic() - asked > 0.5)
    assert time.monotonic() - asked < 10
    assert schedule.status == "FEASIBLE" and len(schedule.assignments) == 225
