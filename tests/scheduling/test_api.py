"""The scheduling API and pages: start, read, decide, release; scoping, permissions, bad input."""

import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from mes.models import Operation
from scheduling.models import RunState, ScheduleVersion, VersionStatus
from scheduling.services import versions
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import PASSWORD, production_plant, released_order

API = "/api/v1/scheduling/versions/"


@pytest.fixture(autouse=True)
def one_worker(settings):
    settings.SCHEDULING_WORKERS = 1


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_post_starts_a_run_that_the_worker_solves():
    plant = production_plant()
    released_order(plant)
    answer = client_for(plant.planner).post(API, {"site": plant.site.code, "time_limit_seconds": 2}, format="json")
    assert answer.status_code == 202, answer.json()
    body = answer.json()
    assert body["site"] == plant.site.code and body["status"] == "draft"
    version = ScheduleVersion.objects.get(pk=body["id"])  # the (eager) worker ran after commit
    assert version.run_state == RunState.DONE, version.error
    listed = client_for(plant.supervisor).get(f"{API}{version.pk}/assignments/").json()
    assert listed["count"] == 3
    assert {row["work_order"] for row in listed["results"]} == {Operation.objects.first().work_order.number}


@pytest.mark.django_db
def test_bad_input_and_permissions():
    plant = production_plant()
    planner = client_for(plant.planner)
    assert planner.post(API, {"site": plant.site.code, "time_limit_seconds": 0}, format="json").status_code == 400
    answer = planner.post(API, {"site": "NOPE"}, format="json")
    assert answer.status_code == 400 and "site" in answer.json()
    assert planner.post(API, {"site": plant.site.code, "objective": "fastest"}, format="json").status_code == 400
    assert client_for(plant.operator).post(API, {"site": plant.site.code}, format="json").status_code == 403
    other = SiteFactory(code="ELSE")
    outsider = UserFactory(username="outsider", roles=["planner"], sites=[other])
    assert client_for(outsider).post(API, {"site": plant.site.code}, format="json").status_code == 404


@pytest.mark.django_db
def test_decisions_through_the_api_and_another_sites_version_is_not_found():
    plant = production_plant()
    released_order(plant)
    version = versions.run_version(versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=2).pk)
    planner, supervisor = client_for(plant.planner), client_for(plant.supervisor)
    assert planner.post(f"{API}{version.pk}/release/").json()["code"] == "invalid_transition"
    assert planner.post(f"{API}{version.pk}/propose/").status_code == 200
    assert planner.post(f"{API}{version.pk}/approve/", {"password": PASSWORD}, format="json").status_code == 403
    assert supervisor.post(f"{API}{version.pk}/approve/", {}, format="json").status_code == 400
    wrong = supervisor.post(f"{API}{version.pk}/approve/", {"password": "nope"}, format="json")
    assert wrong.status_code in (400, 403) and wrong.json()["code"] == "signature_invalid"
    assert supervisor.post(f"{API}{version.pk}/approve/", {"password": PASSWORD}, format="json").json()["status"] == (
        "approved"
    )
    released = planner.post(f"{API}{version.pk}/release/")
    assert released.status_code == 200 and released.json()["status"] == "released"
    assert Operation.objects.filter(planned_start__isnull=False).count() == 3
    stranger = UserFactory(username="stranger", roles=["planner"], sites=[SiteFactory(code="FAR")])
    assert client_for(stranger).get(f"{API}{version.pk}/").status_code == 404
    assert client_for(stranger).get(API).json()["count"] == 0
    other = versions.run_version(versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=1).pk)
    compared = planner.get(f"{API}{other.pk}/compare/{version.pk}/").json()
    assert (
        compared["moved"]["same"] + compared["moved"].get("other_time", 0) + compared["moved"].get("other_equipment", 0)
        == 3
    )


@pytest.mark.django_db
def test_pages_render_for_the_planner_and_the_supervisor(client):
    plant = production_plant()
    released_order(plant)
    version = versions.run_version(versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=2).pk)
    client.force_login(plant.planner)
    page = client.get("/scheduling/")
    assert page.status_code == 200 and f"#{version.number}" in page.text
    detail = client.get(f"/scheduling/{version.pk}/")
    assert detail.status_code == 200 and 'data-plotly="chart-gantt-data"' in detail.text
    assert client.get(f"/scheduling/{version.pk}/?by=order").status_code == 200
    assert client.post(f"/scheduling/{version.pk}/propose/").status_code == 302
    assert client.post(f"/scheduling/{version.pk}/explode/").status_code == 404
    client.force_login(plant.supervisor)
    detail = client.get(f"/scheduling/{version.pk}/")
    assert "Approve" in detail.text
    client.post(f"/scheduling/{version.pk}/approve/sign/", {"password": "wrong"})
    assert ScheduleVersion.objects.get(pk=version.pk).status == VersionStatus.PROPOSED
    client.post(f"/scheduling/{version.pk}/approve/sign/", {"password": PASSWORD})
    assert ScheduleVersion.objects.get(pk=version.pk).status == VersionStatus.APPROVED
    assert client.get(f"/scheduling/{version.pk}/run/").status_code == 200
    client.force_login(plant.operator)
    assert client.get("/scheduling/").status_code == 403
    # A new run from the page, with a bad time limit first.
    client.force_login(plant.planner)
    assert (
        client.post(
            "/scheduling/",
            {"site": plant.site.code, "objective": "makespan", "time_limit_seconds": "x", "horizon_days": "14"},
        ).status_code
        == 200
    )


def _at_once(count, action):
    results, barrier = [None] * count, threading.Barrier(count)

    def worker(index):
        try:
            barrier.wait(timeout=30)
            results[index] = action(index)
        except Exception as error:  # noqa: BLE001 - the test looks at what each got
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a call hung (deadlock?)"
    return results


@pytest.mark.django_db(transaction=True)
def test_two_releases_two_approvals_and_two_runs_at_once():
    plant = production_plant()
    released_order(plant)
    # A queued version as start_run leaves it (here its own worker would run it on commit).
    version = ScheduleVersion.objects.create(
        site=plant.site,
        number=1,
        origin=timezone.now().replace(second=0, microsecond=0),
        created_by=plant.planner,
        time_limit_seconds=1,
    )
    # Two workers pick the same queued version: one solves it, the other leaves it alone.
    both = _at_once(2, lambda i: versions.run_version(version.pk))
    assert all(isinstance(r, ScheduleVersion) for r in both)
    version.refresh_from_db()
    assert version.run_state == RunState.DONE and version.assignments.count() == 3
    versions.propose_version(version=version, user=plant.planner)
    second = UserFactory(username="tsupervisor2", roles=["supervisor"], sites=[plant.site])
    approvers = [plant.supervisor, second]
    approvals = _at_once(2, lambda i: versions.approve_version(version=version, user=approvers[i], password=PASSWORD))
    assert sum(isinstance(r, ScheduleVersion) for r in approvals) == 1
    assert all(getattr(r, "code", "") == "invalid_transition" for r in approvals if not isinstance(r, ScheduleVersion))
    releases = _at_once(2, lambda i: versions.release_version(version=version, user=plant.planner))
    assert sum(isinstance(r, ScheduleVersion) for r in releases) == 1
    assert ScheduleVersion.objects.filter(status=VersionStatus.RELEASED).count() == 1
    runs = _at_once(2, lambda i: versions.start_run(site=plant.site, user=plant.planner, time_limit_seconds=1))
    assert sorted(r.number for r in runs) == [2, 3]


@pytest.mark.django_db(transaction=True)
def test_proposing_stopping_and_rescheduling_twice_at_once_take_effect_once():
    plant = production_plant()
    released_order(plant)
    version = ScheduleVersion.objects.create(
        site=plant.site,
        number=1,
        origin=timezone.now().replace(second=0, microsecond=0),
        created_by=plant.planner,
        time_limit_seconds=1,
    )
    stops = _at_once(2, lambda i: versions.stop_run(version=version, user=plant.planner))
    assert all(isinstance(r, ScheduleVersion) for r in stops)  # asking twice to stop is one request
    versions.run_version(version.pk)
    version.refresh_from_db()
    assert version.run_state == RunState.STOPPED
    proposals = _at_once(2, lambda i: versions.propose_version(version=version, user=plant.planner))
    assert sum(isinstance(r, ScheduleVersion) for r in proposals) == 1
    assert all(getattr(r, "code", "") == "invalid_transition" for r in proposals if not isinstance(r, ScheduleVersion))
    from core.models import ApprovalRequest

    assert ApprovalRequest.objects.filter(kind="scheduling.schedule", object_id=str(version.pk)).count() == 1
    again = _at_once(2, lambda i: versions.reschedule(version=version, user=plant.planner, reason="rush order"))
    assert sorted(r.number for r in again) == [2, 3]  # two requests, two runs, numbered in turn
