"""Labour pools, item setup families and changeovers over the API: the contract, validation
(400 naming the field), site scoping, and the same pool created twice at once."""

import pytest
from rest_framework.test import APIClient

from mes.models import Changeover, LabourPool
from tests.mes.factories import production_plant
from tests.mes.test_alerts_concurrency import at_once

API = "/api/v1/mes"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
def test_pools_families_and_changeovers_are_written_and_read_by_code():
    plant = production_plant(prefix="LP")
    client = client_for(plant.supervisor)
    pool = client.post(
        f"{API}/labour-pools/", {"site": plant.site.code, "skill": "setter", "capacity": 2}, format="json"
    )
    assert pool.status_code == 201, pool.json()
    assert pool.json()["skill"] == "setter" and pool.json()["site"] == plant.site.code
    family = client.post(
        f"{API}/setup-families/",
        {"site": plant.site.code, "item": plant.product.code, "family": "steel"},
        format="json",
    )
    assert family.status_code == 201, family.json()
    body = {"work_centre": plant.machining.code, "from_family": "STEEL", "to_family": "BRASS", "minutes": 30}
    changeover = client.post(f"{API}/changeovers/", body, format="json")
    assert changeover.status_code == 201, changeover.json()
    listed = client.get(f"{API}/changeovers/", {"work_centre": plant.machining.code}).json()
    assert listed["count"] == 1 and listed["results"][0]["minutes"] == 30
    edited = client.patch(f"{API}/labour-pools/{pool.json()['id']}/", {"capacity": 3}, format="json")
    assert edited.status_code == 200 and LabourPool.objects.get().capacity == 3
    assert client.get(f"{API}/labour-pools/", {"skill": "setter"}).json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("labour-pools", {"skill": "SETTER", "capacity": 0}, "capacity"),
        ("labour-pools", {"skill": "  ", "capacity": 1}, "skill"),
        ("labour-pools", {"skill": "SETTER", "capacity": 1, "site": "NOPE"}, "site"),
        ("setup-families", {"item": "NOPE", "family": "STEEL"}, "item"),
        ("changeovers", {"from_family": "A", "to_family": "B", "minutes": -5}, "minutes"),
        ("changeovers", {"from_family": "A", "to_family": "A", "minutes": 5}, "to_family"),
    ],
)
def test_bad_input_is_400_naming_the_field(path, body, field):
    plant = production_plant(prefix="LV")
    defaults = {
        "labour-pools": {"site": plant.site.code},
        "setup-families": {"site": plant.site.code},
        "changeovers": {"work_centre": plant.machining.code},
    }[path]
    response = client_for(plant.supervisor).post(f"{API}/{path}/", dict(defaults, **body), format="json")
    assert response.status_code == 400, response.json()
    data = response.json()
    assert field in data or data.get("field") == field, data


@pytest.mark.django_db
def test_a_duplicate_pair_and_another_sites_records_are_refused():
    plant, other = production_plant(prefix="LD"), production_plant(prefix="LE")
    Changeover.objects.create(work_centre=plant.machining, from_family="A", to_family="B", minutes=5)
    client = client_for(plant.supervisor)
    body = {"work_centre": plant.machining.code, "from_family": "a", "to_family": "b", "minutes": 9}
    again = client.post(f"{API}/changeovers/", body, format="json")
    assert again.status_code == 400 and "to_family" in again.json(), again.json()
    foreign = LabourPool.objects.create(site=other.site, skill="SETTER", capacity=1)
    assert client.get(f"{API}/labour-pools/{foreign.pk}/").status_code == 404
    refused = client.post(f"{API}/labour-pools/", {"site": other.site.code, "skill": "X", "capacity": 1}, format="json")
    assert refused.status_code == 400 and "site" in refused.json()


@pytest.mark.django_db(transaction=True)
def test_the_same_pool_created_twice_at_once_is_made_once():
    plant = production_plant(prefix="LC")

    def post(skill):
        def call():
            body = {"site": plant.site.code, "skill": skill, "capacity": 2}
            response = client_for(plant.supervisor).post(f"{API}/labour-pools/", body, format="json")
            return response.status_code, response.json()

        return call

    results = at_once(post("Setter"), post(" setter"))  # spelt otherwise, the same skill all the same
    assert sorted(status for status, _body in results) == [201, 400]
    refused = next(body for status, body in results if status == 400)
    assert "skill" in refused
    assert LabourPool.objects.count() == 1


@pytest.mark.django_db
def test_a_duplicate_is_refused_in_the_users_language():
    plant = production_plant(prefix="LZ")
    client = client_for(plant.supervisor)
    body = {"site": plant.site.code, "skill": "setter", "capacity": 2}
    assert client.post(f"{API}/labour-pools/", body, format="json").status_code == 201
    again = client.post(f"{API}/labour-pools/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert again.status_code == 400
    assert "此工厂已有该技能的人员池。" in str(again.json())
