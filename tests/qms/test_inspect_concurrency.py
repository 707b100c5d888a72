"""Inspection tasks under parallel requests: real threads, each with its own connection and API
client. Deciding twice at once has one effect; the same results posted twice are recorded once."""

import threading

import pytest
from django.db import connection

from core.models import Signature
from qms.models import InspectionTask, Measurement
from tests.qms.inspect_fixtures import PASSWORD, full_results, incoming_setup, receive
from wms.models import LotStatus, StockMove

pytestmark = pytest.mark.django_db(transaction=True)
TASKS = "/api/v1/qms/inspection-tasks/"


def post_in_parallel(user, url: str, bodies: list[dict]) -> list[tuple[int, dict]]:
    from rest_framework.test import APIClient

    results: list = [None] * len(bodies)
    barrier = threading.Barrier(len(bodies))

    def worker(index, body):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(url, body, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    assert all(result is not None for result in results)
    return results


@pytest.fixture
def setup():
    setup = incoming_setup()
    receive(setup)
    setup.task = InspectionTask.objects.get()
    return setup


def test_results_posted_twice_at_once_are_recorded_once(setup):
    results = post_in_parallel(setup.inspector, f"{TASKS}{setup.task.pk}/results/", [{"results": full_results()}] * 2)
    assert sorted(status for status, _ in results) == [200, 409], results
    assert Measurement.objects.filter(inspection_task=setup.task).count() == 4  # 3 values + 1 count


@pytest.mark.parametrize("decisions", [("accept", "accept"), ("partial", "reject")])
def test_deciding_twice_at_once_has_one_effect(setup, decisions):
    from qms.services import inspections

    inspections.record_results(task=setup.task, results=full_results(), user=setup.inspector)
    bodies = [
        {"decision": d, "password": PASSWORD, "reason": "checked", "rejected_quantity": "4" if d == "partial" else None}
        for d in decisions
    ]
    results = post_in_parallel(setup.inspector, f"{TASKS}{setup.task.pk}/decide/", bodies)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    setup.task.refresh_from_db()
    setup.task.lot.refresh_from_db()
    winner = next(body for status, body in results if status == 200)
    assert setup.task.status == winner["status"]
    assert Signature.objects.filter(object_id=str(setup.task.pk), content_type__model="inspectiontask").count() == 1
    scraps = StockMove.objects.filter(kind="scrap").count()
    if setup.task.status == "rejected":
        assert setup.task.lot.status == LotStatus.REJECTED and scraps == 0
    elif setup.task.status == "partial":
        assert setup.task.lot.status == LotStatus.AVAILABLE and scraps == 1
    else:
        assert setup.task.lot.status == LotStatus.AVAILABLE and scraps == 0


def test_cancelling_twice_at_once_cancels_once(setup):
    results = post_in_parallel(setup.inspector, f"{TASKS}{setup.task.pk}/cancel/", [{"reason": "plan withdrawn"}] * 2)
    assert sorted(status for status, _ in results) == [200, 409], results
    setup.task.refresh_from_db()
    assert setup.task.status == "cancelled" and setup.task.history.filter(status="cancelled").count() == 1
    setup.task.lot.refresh_from_db()
    assert setup.task.lot.status == LotStatus.QUARANTINE
