from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import InvalidTransition, NotFound, PermissionDenied, SignatureInvalid, ValidationFailed
from core.models import Signature
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, stock_in
from wms.models import CountSchedule, CountStatus, CountTask, StockMove, StockQuant
from wms.services import counting
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def on_hand(item, bin_, lot=None):
    quant = StockQuant.objects.filter(item=item, bin=bin_, lot=lot).first()
    return quant.quantity if quant else Decimal(0)


@pytest.fixture
def bin_():
    return BinFactory()


@pytest.fixture
def site(bin_):
    return bin_.warehouse.site


@pytest.fixture
def counter(site):
    return UserFactory(roles=["warehouse"], sites=[site])


@pytest.fixture
def supervisor(site):
    return UserFactory(roles=["supervisor"], sites=[site])


def make_task(bin_, item, quantity, lot=None):
    stock_in(bin=bin_, item=item, quantity=quantity, lot=lot)
    today = counting.site_today(bin_.warehouse.site)
    return CountTask.objects.create(
        site=bin_.warehouse.site, bin=bin_, item=item, lot=lot, due_date=today, status=CountStatus.OPEN
    )


def backdate_count(task, days):
    CountTask.objects.filter(pk=task.pk).update(counted_at=timezone.now() - timedelta(days=days))


# Generation


def test_generation_creates_one_task_per_stock_row_and_default_schedules(bin_, site):
    lot = LotFactory(site=site)
    plain = ItemFactory()
    stock_in(bin=bin_, item=plain, quantity=5)
    stock_in(bin=bin_, item=lot.item, quantity=3, lot=lot)

    tasks = counting.generate_count_tasks(site=site)

    assert {(t.item_id, t.lot_id, t.bin_id) for t in tasks} == {
        (plain.pk, None, bin_.pk),
        (lot.item_id, lot.pk, bin_.pk),
    }
    assert all(t.status == CountStatus.OPEN and t.system_quantity is None for t in tasks)
    assert dict(CountSchedule.objects.filter(site=site).values_list("abc_class", "interval_days")) == {
        "A": 30,
        "B": 90,
        "C": 365,
    }


def test_generation_is_idempotent(bin_, site):
    stock_in(bin=bin_, item=ItemFactory(), quantity=5)
    first = counting.generate_count_tasks(site=site)
    second = counting.generate_count_tasks(site=site)
    assert len(first) == 1 and second == []
    assert CountTask.objects.filter(site=site).count() == 1


def test_generation_follows_each_class_interval(bin_, site, counter):
    a_item = ItemFactory(abc_class="A")
    c_item = ItemFactory(abc_class="C")
    for item in (a_item, c_item):
        task = make_task(bin_, item, 4)
        counting.submit_count(task=task, counted_quantity=Decimal("4"), user=counter)
        backdate_count(task, 31)  # counted 31 days ago

    tasks = counting.generate_count_tasks(site=site)

    # A is counted every 30 days: due again. C every 365 days: not yet.
    assert [t.item_id for t in tasks] == [a_item.pk]


def test_site_schedule_overrides_the_default_interval(bin_, site, counter):
    item = ItemFactory(abc_class="B")
    task = make_task(bin_, item, 4)
    counting.submit_count(task=task, counted_quantity=Decimal("4"), user=counter)
    backdate_count(task, 20)
    CountSchedule.objects.create(site=site, abc_class="B", interval_days=14)

    assert [t.item_id for t in counting.generate_count_tasks(site=site)] == [item.pk]


# Counting


def test_count_within_threshold_posts_the_variance(bin_, counter):
    item = ItemFactory(standard_cost=Decimal("1"))
    task = make_task(bin_, item, 100)

    task = counting.submit_count(task=task, counted_quantity=Decimal("97"), user=counter)

    assert task.status == CountStatus.POSTED
    assert task.system_quantity == Decimal("100") and task.variance == Decimal("-3")
    assert task.variance_value == Decimal("-3.00")
    assert on_hand(item, bin_) == Decimal("97")
    assert task.adjustment.kind == "adjustment" and task.adjustment.from_bin == bin_
    assert task.adjustment.quantity == Decimal("3")


def test_surplus_within_threshold_raises_stock(bin_, counter):
    item = ItemFactory(standard_cost=Decimal("1"))
    task = make_task(bin_, item, 100)
    task = counting.submit_count(task=task, counted_quantity=Decimal("102"), user=counter)
    assert task.adjustment.to_bin == bin_
    assert on_hand(item, bin_) == Decimal("102")


def test_exact_count_posts_nothing(bin_, counter):
    item = ItemFactory()
    task = make_task(bin_, item, 10)
    moves = StockMove.objects.count()
    task = counting.submit_count(task=task, counted_quantity=Decimal("10"), user=counter)
    assert task.status == CountStatus.POSTED and task.adjustment is None
    assert StockMove.objects.count() == moves


def test_count_of_a_lot_adjusts_that_lot(bin_, site, counter):
    lot = LotFactory(site=site, item=ItemFactory(tracking="lot", standard_cost=Decimal("1")))
    task = make_task(bin_, lot.item, 50, lot=lot)
    counting.submit_count(task=task, counted_quantity=Decimal("49"), user=counter)
    assert on_hand(lot.item, bin_, lot) == Decimal("49")


def test_variance_above_percentage_needs_approval_and_a_reason(bin_, counter):
    item = ItemFactory(standard_cost=Decimal("1"))
    task = make_task(bin_, item, 100)

    with pytest.raises(ValidationFailed) as error:
        counting.submit_count(task=task, counted_quantity=Decimal("90"), user=counter)
    assert error.value.field == "reason"
    task.refresh_from_db()
    assert task.status == CountStatus.OPEN

    task = counting.submit_count(task=task, counted_quantity=Decimal("90"), user=counter, reason="pallet damaged")
    assert task.status == CountStatus.PENDING_APPROVAL
    assert task.adjustment is None
    assert on_hand(item, bin_) == Decimal("100")


def test_variance_above_value_needs_approval(bin_, counter):
    item = ItemFactory(standard_cost=Decimal("300"))
    task = make_task(bin_, item, 1000)
    # 2 of 1000 is 0.2 % but worth 600 > 500
    task = counting.submit_count(task=task, counted_quantity=Decimal("998"), user=counter, reason="recounted twice")
    assert task.status == CountStatus.PENDING_APPROVAL


def test_counting_twice_is_refused(bin_, counter):
    task = make_task(bin_, ItemFactory(), 10)
    counting.submit_count(task=task, counted_quantity=Decimal("10"), user=counter)
    with pytest.raises(InvalidTransition):
        counting.submit_count(task=task, counted_quantity=Decimal("9"), user=counter)


@pytest.mark.parametrize("value", ["-1", "abc", "1.5"])
def test_bad_counted_quantity_is_a_field_error(bin_, counter, value):
    task = make_task(bin_, ItemFactory(), 10)  # pieces: no decimals
    with pytest.raises(ValidationFailed) as error:
        counting.submit_count(task=task, counted_quantity=value, user=counter)
    assert error.value.field == "counted_quantity"


# Approval


def pending_task(bin_, counter, counted="80", system=100):
    item = ItemFactory(standard_cost=Decimal("1"))
    task = make_task(bin_, item, system)
    return counting.submit_count(task=task, counted_quantity=Decimal(counted), user=counter, reason="short")


def test_operator_cannot_approve(bin_, site, counter):
    task = pending_task(bin_, counter)
    operator = UserFactory(roles=["operator"], sites=[site])
    with pytest.raises(PermissionDenied):
        counting.approve_count(task=task, user=operator, password=PASSWORD)


def test_wrong_password_refuses_and_changes_nothing(bin_, counter, supervisor):
    task = pending_task(bin_, counter)
    with pytest.raises(SignatureInvalid):
        counting.approve_count(task=task, user=supervisor, password="wrong")
    task.refresh_from_db()
    assert task.status == CountStatus.PENDING_APPROVAL
    assert on_hand(task.item, bin_) == Decimal("100")
    assert not Signature.objects.exists()


def test_counter_cannot_approve_own_count(bin_, supervisor):
    task = pending_task(bin_, supervisor)
    with pytest.raises(PermissionDenied):
        counting.approve_count(task=task, user=supervisor, password=PASSWORD)


def test_approval_is_signed_and_posts_against_current_stock(bin_, counter, supervisor):
    task = pending_task(bin_, counter, counted="80", system=100)
    # 5 issued between the count and the approval: the bin must end at the counted 80 anyway.
    post_move(kind="issue", item=task.item, quantity=Decimal("5"), from_bin=bin_, user=counter)

    task = counting.approve_count(task=task, user=supervisor, password=PASSWORD, reason="checked on site")

    assert task.status == CountStatus.POSTED and task.approved_by == supervisor
    assert on_hand(task.item, bin_) == Decimal("80")
    assert task.adjustment.quantity == Decimal("15")
    signature = Signature.objects.get(object_id=str(task.pk))
    assert signature.meaning == "approved" and signature.user == supervisor


def test_reject_creates_a_signed_recount(bin_, counter, supervisor):
    task = pending_task(bin_, counter)

    task = counting.reject_count(task=task, user=supervisor, password=PASSWORD, reason="count the back row too")

    assert task.status == CountStatus.REJECTED
    recount = CountTask.objects.get(recount_of=task)
    assert recount.status == CountStatus.OPEN and (recount.item, recount.bin) == (task.item, task.bin)
    assert on_hand(task.item, bin_) == Decimal("100")
    assert Signature.objects.get(object_id=str(task.pk)).meaning == "rejected"
    # the rejected count does not block generation, and the open recount prevents a duplicate
    assert counting.generate_count_tasks(site=task.site) == []


def test_reject_needs_a_reason(bin_, counter, supervisor):
    task = pending_task(bin_, counter)
    with pytest.raises(ValidationFailed):
        counting.reject_count(task=task, user=supervisor, password=PASSWORD, reason=" ")


def test_a_wrong_password_is_reported_before_a_missing_reason(bin_, counter, supervisor):
    task = pending_task(bin_, counter)
    with pytest.raises(SignatureInvalid):
        counting.reject_count(task=task, user=supervisor, password="wrong", reason="")
    task.refresh_from_db()
    assert task.status == CountStatus.PENDING_APPROVAL


def test_approving_a_posted_count_is_refused(bin_, counter, supervisor):
    task = make_task(bin_, ItemFactory(), 10)
    task = counting.submit_count(task=task, counted_quantity=Decimal("10"), user=counter)
    with pytest.raises(InvalidTransition):
        counting.approve_count(task=task, user=supervisor, password=PASSWORD)


def test_another_sites_user_cannot_count(bin_):
    task = make_task(bin_, ItemFactory(), 10)
    stranger = UserFactory(roles=["warehouse"], sites=[BinFactory().warehouse.site])
    with pytest.raises(NotFound):
        counting.submit_count(task=task, counted_quantity=Decimal("10"), user=stranger)


def test_daily_task_generates_counts_for_active_sites(bin_, site):
    from wms.tasks import generate_count_tasks

    stock_in(bin=bin_, item=ItemFactory(), quantity=3)
    assert generate_count_tasks()[site.code] == 1
    assert generate_count_tasks()[site.code] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_generations_create_each_task_once():
    import threading

    from django.db import connection

    bin_ = BinFactory()
    site = bin_.warehouse.site
    for _ in range(3):
        stock_in(bin=bin_, item=ItemFactory(), quantity=2)
    barrier = threading.Barrier(2)
    created = []

    def run():
        try:
            barrier.wait()
            created.append(len(counting.generate_count_tasks(site=site)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(created) == [0, 3]
    assert CountTask.objects.filter(site=site).count() == 3


@pytest.mark.django_db(transaction=True)
def test_count_waits_for_a_move_in_progress_and_sees_its_result():
    """A count snapshots the records under the ledger's locks: a move still in progress is
    finished first, so the variance is measured against what the move left."""
    import threading

    from django.db import connection, transaction

    bin_ = BinFactory()
    item = ItemFactory(standard_cost=Decimal("1"))
    task = make_task(bin_, item, 100)
    counter = UserFactory(roles=["warehouse"], sites=[bin_.warehouse.site])
    move_started, release = threading.Event(), threading.Event()

    def slow_issue():
        try:
            with transaction.atomic():
                post_move(kind="issue", item=item, quantity=Decimal("10"), from_bin=bin_, user=counter)
                move_started.set()
                release.wait(5)
        finally:
            connection.close()

    mover = threading.Thread(target=slow_issue)
    mover.start()
    move_started.wait(5)
    threading.Timer(0.5, release.set).start()

    task = counting.submit_count(task=task, counted_quantity=Decimal("90"), user=counter)
    mover.join()

    assert task.system_quantity == Decimal("90") and task.variance == 0
    assert on_hand(item, bin_) == Decimal("90")


# Odd states and four eyes


def test_approving_or_rejecting_a_task_not_yet_counted_is_refused_not_a_crash(bin_, site, supervisor):
    task = make_task(bin_, ItemFactory(), 10)
    with pytest.raises(InvalidTransition):
        counting.approve_count(task=task, user=supervisor, password=PASSWORD)
    with pytest.raises(InvalidTransition):
        counting.reject_count(task=task, user=supervisor, password=PASSWORD, reason="no")
    task.refresh_from_db()
    assert task.status == CountStatus.OPEN and not StockMove.objects.filter(reference=f"COUNT-{task.pk}").exists()


def test_a_counter_cannot_reject_their_own_count(bin_, site):
    lead = UserFactory(roles=["supervisor"], sites=[site])
    task = make_task(bin_, ItemFactory(standard_cost=Decimal("100")), 10)
    task = counting.submit_count(task=task, counted_quantity=2, user=lead, reason="damaged cartons")
    with pytest.raises(PermissionDenied):
        counting.reject_count(task=task, user=lead, password=PASSWORD, reason="my mistake")
    with pytest.raises(PermissionDenied):
        counting.approve_count(task=task, user=lead, password=PASSWORD)
    task.refresh_from_db()
    assert task.status == CountStatus.PENDING_APPROVAL


def test_the_api_answers_409_for_approving_an_uncounted_task(bin_, site, supervisor):
    from rest_framework.test import APIClient

    task = make_task(bin_, ItemFactory(), 10)
    api = APIClient()
    api.force_authenticate(supervisor)
    response = api.post(f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": PASSWORD}, format="json")
    assert response.status_code == 409, response.content


def test_stock_under_an_open_blind_count_is_hidden_from_the_warehouse_but_not_from_supervisors(
    bin_, site, counter, supervisor
):
    from rest_framework.test import APIClient

    from wms.selectors.stock import stock_list

    item = ItemFactory(code="BLIND-1")
    task = make_task(bin_, item, 37)
    assert not stock_list(user=counter, item=item).exists()
    assert stock_list(user=supervisor, item=item).get().quantity == Decimal(37)
    api = APIClient()
    api.force_authenticate(counter)
    body = api.get("/api/v1/wms/stock/", {"item": "BLIND-1"}).json()
    assert "37" not in str(body)

    counting.cancel_count_task(task=task, user=supervisor)
    assert stock_list(user=counter, item=item).get().quantity == Decimal(37)
