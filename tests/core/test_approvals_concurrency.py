"""Two approvers deciding the same request at once: real threads, each on its own connection."""

import threading

import pytest
from django.db import connection

from core.models import ApprovalRequest, ApprovalStatus, Signature
from core.roles import sync_roles
from tests.core.conftest import PASSWORD, CountPlant
from wms.models import CountStatus, StockMove

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/core/approvals/"


def post_at_once(calls: list[tuple]) -> list[tuple[int, dict]]:
    """POST each (user, path, body) from its own thread, all released together."""
    from rest_framework.test import APIClient

    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def worker(index, user, path, body):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(path, body, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung (deadlock?)"
    assert all(r is not None for r in results), "a thread died without an answer"
    return results


@pytest.fixture
def plant():
    sync_roles()
    return CountPlant(code="AC")


def test_two_approvers_at_once_one_wins_the_other_is_told_it_was_taken(plant):
    task, request = plant.pending()
    path = f"{URL}{request.pk}/approve/"

    results = post_at_once(
        [(plant.supervisor, path, {"password": PASSWORD}), (plant.other_supervisor, path, {"password": PASSWORD})]
    )

    statuses = sorted(status for status, _ in results)
    assert statuses == [200, 409], results
    taken = next(body for status, body in results if status == 409)
    assert taken["code"] == "already_decided"
    winner = ApprovalRequest.objects.get(pk=request.pk).decided_by
    assert (winner.get_full_name()) in taken["detail"]
    task.refresh_from_db()
    assert task.status == CountStatus.POSTED
    assert StockMove.objects.filter(reference=f"COUNT-{task.pk}").count() == 1
    assert Signature.objects.filter(object_id=str(task.pk)).count() == 1


def test_approve_and_reject_at_once_apply_one_decision(plant):
    task, request = plant.pending()

    results = post_at_once(
        [
            (plant.supervisor, f"{URL}{request.pk}/approve/", {"password": PASSWORD}),
            (plant.other_supervisor, f"{URL}{request.pk}/reject/", {"password": PASSWORD, "comment": "recount"}),
        ]
    )

    assert sorted(status for status, _ in results) == [200, 409], results
    request.refresh_from_db()
    task.refresh_from_db()
    assert request.status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)
    assert task.status == (CountStatus.POSTED if request.status == ApprovalStatus.APPROVED else CountStatus.REJECTED)
    assert Signature.objects.filter(object_id=str(task.pk)).count() == 1


def call_at_once(functions) -> list:
    """Run each function in its own thread (own connection), released together; returns each
    one's result or the exception it raised."""
    results: list = [None] * len(functions)
    barrier = threading.Barrier(len(functions))

    def worker(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:  # noqa: BLE001 - the test looks at what each thread met
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a call hung (deadlock?)"
    return results


def test_two_escalation_sweeps_at_once_escalate_each_request_once(plant):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Event
    from core.services.approvals import escalate_overdue

    _, request = plant.pending()
    later = timezone.now() + timedelta(days=1)

    results = call_at_once([lambda: escalate_overdue(now=later), lambda: escalate_overdue(now=later)])

    assert sorted(len(r) for r in results) == [0, 1], results
    request.refresh_from_db()
    assert (request.status, request.level) == (ApprovalStatus.ESCALATED, 1)
    assert Event.objects.filter(name="core.approval.escalated").count() == 1


def test_the_same_delegation_twice_at_once_is_made_once(plant):
    from datetime import timedelta

    from django.utils import timezone

    from core.errors import ValidationFailed
    from core.models import ApprovalDelegation
    from core.services.approvals import delegate_approvals

    now = timezone.now()

    def delegate():
        return delegate_approvals(
            user=plant.supervisor,
            delegate=plant.other_supervisor,
            role="supervisor",
            starts_at=now,
            ends_at=now + timedelta(days=2),
        )

    results = call_at_once([delegate, delegate])

    assert sorted(type(r).__name__ for r in results) == ["ApprovalDelegation", "ValidationFailed"], results
    assert any(isinstance(r, ValidationFailed) for r in results)
    assert ApprovalDelegation.objects.count() == 1
