"""`/api/v1/core/approvals/`: list the pending decisions, approve or reject with the signature."""

import pytest

from core.models import ApprovalStatus, Signature
from tests.core.conftest import PASSWORD
from tests.factories import UserFactory
from wms.models import CountStatus, CountTask

pytestmark = pytest.mark.django_db

URL = "/api/v1/core/approvals/"


def test_pending_lists_the_count_with_its_figures(plant, api_as):
    task, request = plant.pending()
    answer = api_as(plant.supervisor).get(URL, {"status": "pending"})
    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert row["id"] == request.pk
    assert row["kind"] == "wms.count_variance"
    assert row["record"] == {"type": "wms.counttask", "id": str(task.pk), "url": f"/wms/counts/{task.pk}/"}
    assert row["site"] == "AP" and row["status"] == "pending" and row["requested_by"] == plant.counter.username
    figures = {f["label"]: f["value"] for f in row["figures"]}
    assert figures["Variance"] == "-40 pcs (-40\u00a0%)"
    assert row["stale"] is False


def test_others_see_nothing(plant, api_as):
    plant.pending()
    assert api_as(plant.counter).get(URL).json()["results"] == []
    assert api_as(UserFactory(roles=["supervisor"])).get(URL).json()["results"] == []


def test_a_bad_status_filter_is_a_400(plant, api_as):
    assert api_as(plant.supervisor).get(URL, {"status": "maybe"}).status_code == 400


def test_approve_through_the_api(plant, api_as):
    task, request = plant.pending()
    answer = api_as(plant.supervisor).post(
        f"{URL}{request.pk}/approve/", {"password": PASSWORD, "meaning": "approved", "comment": "ok"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "approved" and answer.json()["decided_by"] == plant.supervisor.username
    task.refresh_from_db()
    assert task.status == CountStatus.POSTED
    assert api_as(plant.supervisor).get(URL, {"status": "pending"}).json()["results"] == []
    assert api_as(plant.supervisor).get(URL, {"status": "approved"}).json()["count"] == 1


def test_reject_through_the_api_needs_a_comment(plant, api_as):
    task, request = plant.pending()
    client = api_as(plant.supervisor)
    refused = client.post(f"{URL}{request.pk}/reject/", {"password": PASSWORD}, format="json")
    assert refused.status_code == 400 and "comment" in refused.json()

    answer = client.post(f"{URL}{request.pk}/reject/", {"password": PASSWORD, "comment": "recount"}, format="json")
    assert answer.status_code == 200
    assert CountTask.objects.filter(recount_of=task).exists()


def test_a_wrong_password_is_refused_and_changes_nothing(plant, api_as):
    task, request = plant.pending()
    answer = api_as(plant.supervisor).post(f"{URL}{request.pk}/approve/", {"password": "wrong"}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "signature_invalid"
    request.refresh_from_db()
    task.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING and task.status == CountStatus.PENDING_APPROVAL
    assert not Signature.objects.exists()


def test_missing_password_is_a_400(plant, api_as):
    _, request = plant.pending()
    answer = api_as(plant.supervisor).post(f"{URL}{request.pk}/approve/", {}, format="json")
    assert answer.status_code == 400 and "password" in answer.json()


def test_deciding_twice_is_a_409_saying_by_whom(plant, api_as):
    _, request = plant.pending()
    api_as(plant.supervisor).post(f"{URL}{request.pk}/approve/", {"password": PASSWORD}, format="json")
    again = api_as(plant.other_supervisor).post(f"{URL}{request.pk}/approve/", {"password": PASSWORD}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_decided"
    assert plant.supervisor.get_full_name() in again.json()["detail"]


def test_four_eyes_through_the_api(plant, api_as):
    plant.counter.groups.add(*plant.supervisor.groups.all())
    _, request = plant.pending()
    answer = api_as(plant.counter).post(f"{URL}{request.pk}/approve/", {"password": PASSWORD}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "four_eyes"


def test_stale_through_the_api(plant, api_as):
    task, request = plant.pending()
    CountTask.objects.filter(pk=task.pk).update(counted_quantity=70)
    answer = api_as(plant.supervisor).post(f"{URL}{request.pk}/approve/", {"password": PASSWORD}, format="json")
    assert answer.status_code == 409 and answer.json()["code"] == "stale"


def test_another_sites_request_is_a_404(plant, api_as):
    _, request = plant.pending()
    stranger = UserFactory(roles=["supervisor"])
    answer = api_as(stranger).post(f"{URL}{request.pk}/approve/", {"password": PASSWORD}, format="json")
    assert answer.status_code == 404
