"""Production under parallel requests: real threads, each with its own connection and client."""

import threading

import pytest
from django.db import connection

from mes.models import Operation, ProductionReport
from mes.services import operations
from tests.mes.factories import production_plant, released_order
from wms.models import StockMove, StockQuant

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/mes"


def post_in_parallel(users, requests) -> list[tuple[int, dict]]:
    """POST (path, body) from its own thread as the matching user, all released at once."""
    from rest_framework.test import APIClient

    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def worker(index, user, path, body):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(path, body, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, users[i], path, body)) for i, (path, body) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung (deadlock?)"
    assert all(r is not None for r in results), "a thread died without an answer"
    return results


@pytest.fixture
def plant():
    return production_plant()


def test_ten_copies_of_a_report_at_once_are_applied_once(plant):
    order = released_order(plant)
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    body = {
        "operation": op.pk,
        "good": "2",
        "consumed": [{"item": "T-SHAFT", "lot": "T-SH-1", "bin": plant.wip.code, "quantity": "2"}],
        "idempotency_key": "same-key",
    }
    results = post_in_parallel([plant.operator] * 10, [(f"{API}/production-reports/", body)] * 10)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 9 + [201], results
    assert len({answer["id"] for _, answer in results}) == 1
    assert ProductionReport.objects.count() == 1
    assert Operation.objects.get(pk=op.pk).good == 2
    assert StockMove.objects.filter(kind="issue", reference=order.number).count() == 1
    assert StockQuant.objects.get(item=plant.shaft, bin=plant.wip).quantity == 98


def test_two_operators_completing_one_operation_one_wins_one_is_told(plant):
    order = released_order(plant)
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    path = f"{API}/operations/{op.pk}/complete/"
    results = post_in_parallel([plant.operator, plant.operator2], [(path, {}), (path, {})])

    assert sorted(status for status, _ in results) == [200, 409], results
    refusal = next(answer for status, answer in results if status == 409)
    assert refusal["code"] == "invalid_transition" and "done" in refusal["detail"]
    assert Operation.objects.get(pk=op.pk).status == "done"


def test_two_orders_starting_on_one_machine_at_once_one_gets_it(plant):
    first, second = released_order(plant), released_order(plant)
    requests = [
        (f"{API}/operations/{o.operations.get(sequence=10).pk}/start/", {"equipment": "T-LATHE1"})
        for o in (first, second)
    ]
    results = post_in_parallel([plant.operator, plant.operator2], requests)
    assert sorted(status for status, _ in results) == [200, 409], results
    assert Operation.objects.filter(equipment=plant.lathe1, status="running").count() == 1


def test_two_different_reports_at_once_never_exceed_the_open_quantity(plant):
    order = released_order(plant, quantity="5")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    requests = [
        (f"{API}/production-reports/", {"operation": op.pk, "good": "3", "idempotency_key": f"k-{n}"}) for n in range(2)
    ]
    results = post_in_parallel([plant.operator, plant.operator2], requests)
    assert sorted(status for status, _ in results) == [201, 409], results
    assert next(a for s, a in results if s == 409)["code"] == "over_quantity"
    assert Operation.objects.get(pk=op.pk).good == 3


def test_a_key_taken_by_another_operations_report_at_once_is_refused_and_nothing_written():
    """The unique index settles the race the order's lock does not see (two orders): the loser
    is refused with duplicate_key, its transaction rolled back whole."""
    from core.errors import DomainError
    from mes.models import ProductionReport
    from mes.services import operations, production

    plant = production_plant()
    ops = [
        operations.start_operation(
            operation=released_order(plant).operations.get(sequence=10), user=plant.operator, equipment=machine
        )
        for machine in (plant.lathe1, plant.lathe2)
    ]
    outcomes = []
    barrier = threading.Barrier(2)

    def worker(op):
        try:
            barrier.wait(timeout=30)
            _report, created = production.report_production(
                operation=op, user=plant.operator, idempotency_key="same-key", good=1
            )
            outcomes.append("created" if created else "answered")
        except DomainError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(op,)) for op in ops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # Refused in the race, or (the first committed before the second looked) answered with it.
    assert sorted(outcomes) in (["created", "duplicate_key"], ["answered", "created"])
    report = ProductionReport.objects.get(idempotency_key="same-key")
    loser = next(op for op in ops if op.pk != report.operation_id)
    loser.refresh_from_db()
    assert loser.good == 0 and ProductionReport.objects.count() == 1
