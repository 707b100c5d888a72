"""The inspection-task API: list and filter by site, one task with progress, results and the
signed decision, each refusal a 4xx with the field named."""

import pytest

from qms.models import InspectionTask, Measurement
from tests.factories import SiteFactory, UserFactory
from tests.qms.inspect_fixtures import PASSWORD, full_results, incoming_setup, receive
from wms.models import LotStatus

pytestmark = pytest.mark.django_db
TASKS = "/api/v1/qms/inspection-tasks/"


@pytest.fixture
def setup():
    setup = incoming_setup()
    receive(setup)
    setup.task = InspectionTask.objects.get()
    return setup


def test_list_filter_and_detail(setup, api_as):
    client = api_as(setup.inspector)
    body = client.get(TASKS, {"site": setup.site.code, "status": "open", "lot": "SUP-1"}).json()
    assert body["count"] == 1 and body["results"][0]["number"] == setup.task.number
    assert body["results"][0]["lot"] == "SUP-1" and body["results"][0]["sample_size"] == 3
    assert client.get(TASKS, {"status": "accepted"}).json()["count"] == 0
    detail = client.get(f"{TASKS}{setup.task.pk}/").json()
    bore = next(c for c in detail["characteristics"] if c["code"] == "BORE")
    assert (bore["lsl"], bore["usl"], bore["unit"], bore["recorded"]) == ("73.950000", "74.050000", "mm", 0)
    assert detail["suggestion"] == {"decision": None, "nonconforming": 0, "complete": False}


def test_another_sites_task_answers_404(setup, api_as):
    client = api_as(UserFactory(roles=["quality"], sites=[SiteFactory()]))
    assert client.get(f"{TASKS}{setup.task.pk}/").status_code == 404
    assert (
        client.post(f"{TASKS}{setup.task.pk}/results/", {"results": full_results()}, format="json").status_code == 404
    )
    assert client.get(TASKS).json()["count"] == 0


@pytest.mark.parametrize("typed", ["74,01", "74.01 mm"])
def test_results_with_a_comma_or_a_unit_answer_400_naming_the_value(setup, api_as, typed):
    client = api_as(setup.inspector)
    response = client.post(
        f"{TASKS}{setup.task.pk}/results/", {"results": full_results(values=("74.0", typed, "74.0"))}, format="json"
    )
    assert response.status_code == 400
    assert "BORE" in response.json()["results.0.values.1"][0]
    assert not Measurement.objects.exists()


def test_malformed_bodies_answer_400(setup, api_as):
    client = api_as(setup.inspector)
    for body in ({}, {"results": []}, {"results": "x"}, {"results": [{"values": ["1"]}]}):
        assert client.post(f"{TASKS}{setup.task.pk}/results/", body, format="json").status_code == 400
    assert client.post(f"{TASKS}{setup.task.pk}/decide/", {"decision": "maybe"}, format="json").status_code == 400


def test_results_then_decide_accept_releases_the_lot(setup, api_as):
    client = api_as(setup.inspector)
    response = client.post(f"{TASKS}{setup.task.pk}/results/", {"results": full_results()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "in_progress" and response.json()["suggestion"]["decision"] == "accept"
    wrong = client.post(f"{TASKS}{setup.task.pk}/decide/", {"decision": "accept", "password": "nope"}, format="json")
    assert wrong.status_code == 403
    ok = client.post(f"{TASKS}{setup.task.pk}/decide/", {"decision": "accept", "password": PASSWORD}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    setup.task.lot.refresh_from_db()
    assert setup.task.lot.status == LotStatus.AVAILABLE
    again = client.post(
        f"{TASKS}{setup.task.pk}/decide/", {"decision": "reject", "password": PASSWORD, "reason": "x"}, format="json"
    )
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    more = client.post(f"{TASKS}{setup.task.pk}/results/", {"results": full_results()}, format="json")
    assert more.status_code == 409


def test_partial_needs_a_quantity(setup, api_as):
    client = api_as(setup.inspector)
    client.post(f"{TASKS}{setup.task.pk}/results/", {"results": full_results()}, format="json")
    body = {"decision": "partial", "password": PASSWORD, "reason": "sorted out"}
    response = client.post(f"{TASKS}{setup.task.pk}/decide/", body, format="json")
    assert response.status_code == 400 and "rejected_quantity" in response.json()
    response = client.post(f"{TASKS}{setup.task.pk}/decide/", {**body, "rejected_quantity": "5"}, format="json")
    assert response.status_code == 200 and response.json()["rejected_quantity"] == "5.000000"


def test_an_operator_may_record_but_not_decide(setup, api_as):
    operator = UserFactory(roles=["operator"], sites=[setup.site])
    client = api_as(operator)
    assert (
        client.post(f"{TASKS}{setup.task.pk}/results/", {"results": full_results()}, format="json").status_code == 200
    )
    response = client.post(
        f"{TASKS}{setup.task.pk}/decide/", {"decision": "accept", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403


def test_cancel_needs_a_reason_and_quality(setup, api_as):
    url = f"{TASKS}{setup.task.pk}/cancel/"
    assert api_as(setup.layout.user).post(url, {"reason": "x"}, format="json").status_code == 403
    client = api_as(setup.inspector)
    assert client.post(url, {"reason": " "}, format="json").status_code == 400
    response = client.post(url, {"reason": "returned to the supplier unopened"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_a_characteristic_names_its_machine_data_tag(setup, api_as):
    client = api_as(setup.inspector)
    url = f"/api/v1/qms/characteristics/{setup.bore.pk}/"
    assert client.patch(url, {"tag": "bore_mm"}, format="json").json()["tag"] == "bore_mm"
    refused = client.patch(f"/api/v1/qms/characteristics/{setup.looks.pk}/", {"tag": "x"}, format="json")
    assert refused.status_code == 400 and "tag" in refused.json()
