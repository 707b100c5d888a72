"""The plant's labour pools, setup families and changeover matrices in the scheduler's model."""

import itertools

import pytest
from django.utils import timezone

from mes.models import Changeover, ItemSetupFamily, LabourPool, Operation
from scheduling.engine import check_schedule, dispatch
from scheduling.models import RunState
from scheduling.services import versions
from scheduling.services.problem import build_problem
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_worker(settings):
    settings.SCHEDULING_WORKERS = 1


@pytest.fixture
def plant():
    return production_plant()


def turning_needs(plant, orders, *, skill="TURNER", workers=1):
    Operation.objects.filter(work_order__in=orders, sequence=10).update(skill=skill, labour=workers)


def test_pools_families_and_the_matrix_reach_the_model(plant):
    orders = [released_order(plant), released_order(plant)]
    turning_needs(plant, orders, workers=2)
    LabourPool.objects.create(site=plant.site, skill="Turner", capacity=3)  # any case matches
    ItemSetupFamily.objects.create(site=plant.site, item=plant.product, family="STEEL")
    Changeover.objects.create(work_centre=plant.machining, from_family="STEEL", to_family="BRASS", minutes=40)
    problem = build_problem(site=plant.site, origin=timezone.now(), horizon_days=7)
    model = problem.model
    assert [(pool.skill, pool.capacity) for pool in model.labour] == [("Turner", 3)]
    turning = [model.operation(n) for n, op in problem.operations.items() if op.sequence == 10]
    assert len(turning) == 2 and all(op.labour == {"Turner": 2} for op in turning)
    assert all(op.setup_family == "STEEL" for op in model.operations)
    lathe = model.machine(f"eq{plant.lathe1.pk}")
    assert lathe.setup_times == {("STEEL", "BRASS"): 40}
    assert model.machine(f"eq{plant.press.pk}").setup_times == {}
    assert problem.warnings == []


def test_a_skill_without_pool_or_too_few_workers_is_a_warning_naming_the_operation(plant):
    first, second = released_order(plant), released_order(plant)
    turning_needs(plant, [first], skill="WELDER")
    turning_needs(plant, [second], skill="TURNER", workers=4)
    LabourPool.objects.create(site=plant.site, skill="TURNER", capacity=2)
    problem = build_problem(site=plant.site, origin=timezone.now(), horizon_days=7)
    welder = next(w for w in problem.warnings if "WELDER" in w)
    assert str(first.operations.get(sequence=10)) in welder and "no labour pool" in welder
    short = next(w for w in problem.warnings if "TURNER" in w)
    assert str(second.operations.get(sequence=10)) in short and "4" in short and "2" in short
    by_record = {op.pk: problem.model.operation(name) for name, op in problem.operations.items()}
    assert by_record[first.operations.get(sequence=10).pk].labour == {}
    assert by_record[second.operations.get(sequence=10).pk].labour == {"TURNER": 2}
    schedule = dispatch(problem.model, "ATC")
    assert check_schedule(problem.model, schedule) == []


def test_one_turner_serialises_turning_on_two_lathes(plant):
    orders = [released_order(plant, quantity="30"), released_order(plant, quantity="30")]
    turning_needs(plant, orders)
    LabourPool.objects.create(site=plant.site, skill="TURNER", capacity=1)
    version = versions.run_version(versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=3).pk)
    assert version.run_state == RunState.DONE, version.error
    rows = sorted(version.assignments.filter(operation__sequence=10), key=lambda r: r.start)
    assert len(rows) == 2
    assert rows[0].end <= rows[1].start, "one turner cannot turn on two lathes at once"
    assert version.kpis["labour"]["TURNER"]["capacity"] == 1
    assert version.kpis["labour"]["TURNER"]["peak"] == 1


def test_a_changeover_separates_two_families_on_one_machine(plant):
    other = type(plant.product).objects.create(
        code=f"{plant.product.code}-B", name="Brass variant", type="finished", base_unit=plant.product.base_unit
    )
    ItemSetupFamily.objects.create(site=plant.site, item=plant.product, family="STEEL")
    ItemSetupFamily.objects.create(site=plant.site, item=other, family="BRASS")
    Changeover.objects.create(work_centre=plant.machining, from_family="STEEL", to_family="BRASS", minutes=45)
    Changeover.objects.create(work_centre=plant.machining, from_family="BRASS", to_family="STEEL", minutes=45)
    released_order(plant)
    brass = released_order(plant)
    brass.item = other  # the same routing, another family: only the family differs
    brass.save(update_fields=["item"])
    plant.lathe2.active = False
    plant.lathe2.save(update_fields=["active"])
    problem = build_problem(site=plant.site, origin=timezone.now(), horizon_days=7)
    schedule = dispatch(problem.model, "ATC")
    assert check_schedule(problem.model, schedule) == []
    turning = sorted(
        (a for name, a in schedule.assignments.items() if problem.operations[name].sequence == 10),
        key=lambda a: a.start,
    )
    for before, after in itertools.pairwise(turning):
        assert after.start >= before.end + 45
