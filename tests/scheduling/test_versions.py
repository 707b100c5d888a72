"""Schedule versions on the plant: runs, the life of a version, release into the dispatch lists."""

import itertools
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from core.errors import DomainError, InvalidTransition, PermissionDenied, SignatureInvalid
from core.models import ApprovalRequest, ApprovalStatus
from mes.models import Operation, OperationStatus
from mes.selectors.dispatch import dispatch_list
from mes.selectors.oee import planned_time
from mes.services import operations
from scheduling.models import RunState, ScheduleVersion, VersionStatus
from scheduling.services import versions
from tests.factories import UserFactory
from tests.mes.factories import PASSWORD, production_plant, released_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_worker(settings):
    settings.SCHEDULING_WORKERS = 1


@pytest.fixture
def plant():
    return production_plant()


def solved(plant, *, user=None, **options) -> ScheduleVersion:
    options.setdefault("time_limit_seconds", 3)
    version = versions.start_run(site=plant.site, user=user or plant.planner, **options)
    return versions.run_version(version.pk)


def test_a_run_plans_every_open_operation_within_calendars_and_routing_order(plant):
    orders = [released_order(plant, quantity="20", due_in_days=1), released_order(plant, quantity="5", priority=1)]
    version = solved(plant)
    assert version.run_state == RunState.DONE, version.error
    rows = list(version.assignments.select_related("operation", "equipment__work_centre__calendar", "equipment__site"))
    assert {r.operation_id for r in rows} == set(
        Operation.objects.filter(work_order__in=orders).values_list("pk", flat=True)
    )
    by_op = {(r.operation.work_order_id, r.operation.sequence): r for r in rows}
    for order in orders:
        assert by_op[(order.pk, 10)].end <= by_op[(order.pk, 20)].start <= by_op[(order.pk, 30)].start
        assert by_op[(order.pk, 10)].equipment.work_centre == plant.machining
    for equipment in {r.equipment for r in rows}:
        mine = sorted((r for r in rows if r.equipment == equipment), key=lambda r: r.start)
        assert all(a.end <= b.start for a, b in itertools.pairwise(mine)), "overlap on one machine"
        windows = planned_time(equipment, version.origin, version.origin + timedelta(days=14))
        for row in mine:  # every piece starts in a shift (breaks and nights are gaps)
            assert any(start <= row.start < end for start, end in windows), row
    assert version.kpis["orders"] == 2 and version.kpis["operations"] == 6
    assert set(version.kpis["utilisation"]) == {r.equipment.code for r in rows}
    assert version.progress and version.progress[-1]["phase"] == "done"
    assert version.objective_value is not None and version.bound is not None
    done = version.progress[-1]
    assert done["build_seconds"] + done["solve_seconds"] <= done["seconds"] <= version.time_limit_seconds + 1
    assert version.kpis["build_seconds"] == done["build_seconds"] and version.kpis["solve_seconds"] > 0


def test_a_running_operation_stays_where_it_is(plant):
    order = released_order(plant, quantity="30")
    first = order.operations.get(sequence=10)
    operations.start_operation(operation=first, user=plant.operator, equipment=plant.lathe2)
    version = solved(plant)
    row = version.assignments.get(operation=first)
    assert row.fixed and row.equipment == plant.lathe2 and row.start == version.origin


def test_nothing_to_plan_fails_with_a_message(plant):
    version = solved(plant)
    assert version.run_state == RunState.FAILED
    assert "no open operations" in version.error
    with pytest.raises(InvalidTransition):
        versions.propose_version(version=version, user=plant.planner)


def test_a_short_component_waits_for_its_expected_receipt(plant):
    from wms.models import ExpectedReceipt, ExpectedReceiptLine

    order = released_order(plant, quantity="150")  # 150 shafts needed, 100 in stock
    arrives = timezone.localdate() + timedelta(days=3)
    receipt = ExpectedReceipt.objects.create(site=plant.site, number="ER-T-1", expected_date=arrives)
    ExpectedReceiptLine.objects.create(receipt=receipt, line_no=1, item=plant.shaft, quantity=100)
    version = solved(plant)
    start = version.assignments.get(operation=order.operations.get(sequence=10)).start
    assert timezone.localtime(start, plant.site.tzinfo).date() >= arrives


def test_propose_approve_release_and_the_dispatch_list_follows(plant):
    urgent = released_order(plant, priority=1, due_in_days=9)
    other = released_order(plant, priority=9, due_in_days=1)
    version = solved(plant)
    versions.propose_version(version=version, user=plant.planner)
    request = ApprovalRequest.objects.get(kind="scheduling.schedule", object_id=str(version.pk))
    assert request.status == ApprovalStatus.PENDING
    with pytest.raises(PermissionDenied):  # four eyes
        versions.approve_version(version=version, user=plant.planner, password=PASSWORD)
    with pytest.raises(SignatureInvalid):
        versions.approve_version(version=version, user=plant.supervisor, password="wrong")
    version.refresh_from_db()
    assert version.status == VersionStatus.PROPOSED
    versions.approve_version(version=version, user=plant.supervisor, password=PASSWORD, reason="ok")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
    versions.release_version(version=version, user=plant.planner)
    version.refresh_from_db()
    assert version.status == VersionStatus.RELEASED
    planned = {a.operation_id: a.start for a in version.assignments.all()}
    for op in Operation.objects.filter(work_order__in=[urgent, other]):
        assert op.planned_start == planned[op.pk]
    lines = dispatch_list(user=plant.operator, work_centre=plant.machining)
    starts = [line["operation"].planned_start for line in lines]
    assert starts == sorted(starts)
    # The next release supersedes this one; the plan follows the new version.
    second = solved(plant, objective="makespan")
    versions.propose_version(version=second, user=plant.planner)
    versions.approve_version(version=second, user=plant.supervisor, password=PASSWORD)
    versions.release_version(version=second, user=plant.planner)
    version.refresh_from_db()
    assert version.status == VersionStatus.SUPERSEDED
    assert ScheduleVersion.objects.filter(site=plant.site, status=VersionStatus.RELEASED).get() == second


def test_reject_sends_back_to_draft_and_needs_a_reason(plant):
    released_order(plant)
    version = solved(plant)
    versions.propose_version(version=version, user=plant.planner)
    with pytest.raises(DomainError):
        versions.reject_version(version=version, user=plant.supervisor, password=PASSWORD, reason="")
    versions.reject_version(version=version, user=plant.supervisor, password=PASSWORD, reason="Too many late")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert ApprovalRequest.objects.get(object_id=str(version.pk), kind="scheduling.schedule").status == "rejected"


def test_illegal_steps_are_refused(plant):
    released_order(plant)
    version = solved(plant)
    with pytest.raises(InvalidTransition):
        versions.release_version(version=version, user=plant.planner)
    with pytest.raises(InvalidTransition):
        versions.approve_version(version=version, user=plant.supervisor, password=PASSWORD)
    with pytest.raises(PermissionDenied):
        versions.start_run(site=plant.site, user=plant.operator)
    stranger = UserFactory(username="elsewhere", roles=["planner"], sites=[])
    with pytest.raises(DomainError):
        versions.start_run(site=plant.site, user=stranger)


def test_stop_keeps_the_best_schedule_found(plant):
    for _ in range(3):
        released_order(plant)
    version = versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=60)
    versions.stop_run(version=version, user=plant.planner)
    started = timezone.now()
    version = versions.run_version(version.pk)
    assert (timezone.now() - started).total_seconds() < 20
    assert version.run_state == RunState.STOPPED
    assert version.assignments.count() == 9
    assert cache.get(versions._stop_key(version)) is None
    with pytest.raises(DomainError):
        versions.stop_run(version=version, user=plant.planner)


def test_reschedule_starts_from_the_plan_and_says_why(plant):
    released_order(plant)
    first = solved(plant)
    with pytest.raises(DomainError):
        versions.reschedule(version=first, user=plant.planner, reason=" ")
    again = versions.reschedule(version=first, user=plant.planner, reason="LATHE1 down", time_limit_seconds=2)
    again = versions.run_version(again.pk)
    assert again.based_on == first and again.run_state == RunState.DONE
    assert again.number == first.number + 1


def test_a_done_operation_drops_out_of_the_next_run(plant):
    order = released_order(plant, quantity="1")
    first_op = order.operations.get(sequence=10)
    operations.start_operation(operation=first_op, user=plant.operator, equipment=plant.lathe1)
    Operation.objects.filter(pk=first_op.pk).update(status=OperationStatus.DONE)
    version = solved(plant)
    assert not version.assignments.filter(operation=first_op).exists()
    assert version.assignments.count() == 2
