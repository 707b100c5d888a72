"""Release reserves the components in WMS; consumption takes them against the reservation;
cancelling or closing gives back what is left."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from mes.models import WorkOrderReservation, WorkOrderStatus
from mes.selectors.dispatch import dispatch_list
from mes.services import operations, production, work_orders
from tests.mes.factories import production_plant, released_order
from wms.models import PickLineStatus, PickListStatus
from wms.selectors.availability import available_quantity
from wms.services.ledger import post_move


@pytest.fixture
def plant():
    return production_plant()


def _draft(plant, quantity="10"):
    return work_orders.create_work_order(
        site=plant.site,
        item=plant.product,
        quantity=Decimal(quantity),
        due=timezone.now() + timedelta(days=1),
        user=plant.planner,
    )


def _held(order):
    lines = [
        line
        for reservation in order.reservations.select_related("pick_list")
        for line in reservation.pick_list.lines.all()
        if line.status == PickLineStatus.OPEN
    ]
    return {line.item.code: line.quantity for line in lines}


@pytest.mark.django_db
def test_release_holds_the_bom_components_at_the_line(plant):
    order = released_order(plant, quantity="10")
    assert _held(order) == {"T-SHAFT": Decimal("10"), "T-SCREW": Decimal("42")}
    # Another document can no longer take what the order holds.
    assert available_quantity(item=plant.shaft, bin=plant.wip, lot=plant.shaft_lot) == Decimal("90")
    with pytest.raises(DomainError) as refused:
        post_move(
            kind="issue", item=plant.shaft, lot=plant.shaft_lot, from_bin=plant.wip, quantity=95, user=plant.supervisor
        )
    assert refused.value.code == "insufficient_stock"


@pytest.mark.django_db
def test_a_shortage_is_reserved_in_part_and_shown_on_the_dispatch_list(plant):
    order = released_order(plant, quantity="150")
    assert order.status == WorkOrderStatus.RELEASED
    pick_list = order.reservations.get().pick_list
    short = {line.item.code: line.short_quantity for line in pick_list.lines.filter(status=PickLineStatus.SHORT)}
    assert short == {"T-SHAFT": Decimal("50")}
    line = next(
        line
        for line in dispatch_list(user=plant.operator, work_centre=plant.machining)
        if line["operation"].work_order_id == order.pk
    )
    assert line["reason"] == "waiting_material"
    assert [(s["item"], s["needed"], s["available"]) for s in line["short"]] == [
        ("T-SHAFT", Decimal("150"), Decimal("100"))
    ]


@pytest.mark.django_db
def test_another_orders_reservation_makes_the_next_one_wait(plant):
    first = released_order(plant, quantity="80")
    second = released_order(plant, quantity="30")
    lines = {
        line["operation"].work_order_id: line
        for line in dispatch_list(user=plant.operator, work_centre=plant.machining)
    }
    assert lines[first.pk]["reason"] == "ready"
    assert lines[second.pk]["reason"] == "waiting_material"
    assert lines[second.pk]["short"][0]["available"] == Decimal("20")


@pytest.mark.django_db
def test_consumption_takes_the_held_stock_and_lowers_the_hold(plant):
    order = released_order(plant, quantity="95")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    # 95 of the 100 shafts are held for this order: consuming them is allowed against the hold.
    production.report_production(
        operation=op,
        user=plant.operator,
        idempotency_key="res-1",
        good=60,
        consumed=[{"item": plant.shaft, "lot": plant.shaft_lot.code, "bin": plant.wip, "quantity": "60"}],
    )
    assert _held(order)["T-SHAFT"] == Decimal("35")
    production.report_production(
        operation=op,
        user=plant.operator,
        idempotency_key="res-2",
        good=35,
        consumed=[{"item": plant.shaft, "lot": plant.shaft_lot, "bin": plant.wip, "quantity": "35"}],
    )
    assert "T-SHAFT" not in _held(order)
    assert available_quantity(item=plant.shaft, bin=plant.wip, lot=plant.shaft_lot) == Decimal("5")


@pytest.mark.django_db
def test_cancel_gives_the_stock_back(plant):
    order = released_order(plant, quantity="10")
    work_orders.cancel_work_order(work_order=order, user=plant.planner)
    assert order.reservations.get().pick_list.status == PickListStatus.CANCELLED
    assert available_quantity(item=plant.shaft, bin=plant.wip, lot=plant.shaft_lot) == Decimal("100")


@pytest.mark.django_db
def test_a_refused_cancel_keeps_the_reservation(plant):
    order = released_order(plant, quantity="10")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    production.report_production(operation=op, user=plant.operator, idempotency_key="res-c", good=1)
    with pytest.raises(DomainError):
        work_orders.cancel_work_order(work_order=order, user=plant.planner)
    assert order.reservations.get().pick_list.status == PickListStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_two_releases_at_once_reserve_once():
    plant = production_plant()
    order = _draft(plant)
    results = []
    barrier = threading.Barrier(2)

    def worker():
        try:
            barrier.wait(timeout=30)
            work_orders.release_work_order(work_order=order, user=plant.planner)
            results.append("released")
        except DomainError as error:
            results.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["invalid_transition", "released"]
    assert WorkOrderReservation.objects.filter(work_order=order).count() == 1
    assert available_quantity(item=plant.shaft, bin=plant.wip, lot=plant.shaft_lot) == Decimal("90")


@pytest.mark.django_db
def test_releasing_many_at_once_reserves_the_most_urgent_first(plant):
    later = work_orders.create_work_order(
        site=plant.site,
        item=plant.product,
        quantity=Decimal(60),
        due=timezone.now() + timedelta(days=5),
        priority=5,
        user=plant.planner,
    )
    urgent = work_orders.create_work_order(
        site=plant.site,
        item=plant.product,
        quantity=Decimal(60),
        due=timezone.now() + timedelta(days=5),
        priority=1,
        user=plant.planner,
    )
    result = work_orders.release_work_orders(work_orders=[later, urgent], user=plant.planner)
    assert {o.status for o in result.released} == {WorkOrderStatus.RELEASED} and not result.refused
    assert _held(urgent)["T-SHAFT"] == Decimal(60) and _held(later)["T-SHAFT"] == Decimal(40)
    assert later.operations.get(sequence=10).status == "ready"
    assert later.operations.get(sequence=20).status == "pending"
    assert later.history.first().status == WorkOrderStatus.RELEASED


@pytest.mark.django_db
def test_an_order_that_is_not_a_draft_is_refused_on_its_own(plant):
    draft = _draft(plant)
    done = released_order(plant)
    held = {**_held(done)}
    result = work_orders.release_work_orders(work_orders=[draft, done, 999_999], user=plant.planner)
    assert [o.pk for o in result.released] == [draft.pk]
    assert result.refused[done.pk].status == 409 and result.refused[999_999].status == 404
    draft.refresh_from_db()
    assert draft.status == WorkOrderStatus.RELEASED and draft.reservations.count() == 1
    assert _held(done) == held and done.reservations.count() == 1
