"""The desk pages of labour pools, setup families and changeovers: render, post, refuse."""

import pytest
from django.test import Client

from mes.models import Changeover, ItemSetupFamily, LabourPool
from tests.mes.factories import PASSWORD, production_plant

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_a_supervisor_keeps_pools_families_and_changeovers_from_the_desk():
    plant = production_plant(prefix="WV")
    desk = client_for(plant.supervisor)
    assert desk.get("/mes/labour-pools/new/").status_code == 200
    bad = desk.post("/mes/labour-pools/new/", {"site": plant.site.pk, "skill": "SETTER", "capacity": 0})
    assert bad.status_code == 400 and not LabourPool.objects.exists()
    made = desk.post("/mes/labour-pools/new/", {"site": plant.site.pk, "skill": "setter", "capacity": 2})
    assert made.status_code == 302
    pool = LabourPool.objects.get()
    assert pool.skill == "setter"
    assert "setter" in desk.get("/mes/labour-pools/").content.decode()
    twice = desk.post("/mes/labour-pools/new/", {"site": plant.site.pk, "skill": "SETTER", "capacity": 1})
    assert twice.status_code == 400 and "already has a labour pool of this skill" in twice.content.decode()
    form = {"site": plant.site.pk, "item": plant.product.pk, "family": "STEEL"}
    assert desk.post("/mes/setup-families/new/", form).status_code == 302
    assert ItemSetupFamily.objects.get().family == "STEEL"
    change = {"work_centre": plant.machining.pk, "from_family": "STEEL", "to_family": "BRASS", "minutes": 25}
    assert desk.post("/mes/changeovers/new/", change).status_code == 302
    page = desk.get("/mes/changeovers/").content.decode()
    assert "BRASS" in page and "25" in page
    negative = desk.post("/mes/changeovers/new/", dict(change, to_family="ALU", minutes=-1))
    assert negative.status_code == 400 and Changeover.objects.count() == 1


def test_an_operator_only_reads():
    plant = production_plant(prefix="WO")
    operator = client_for(plant.operator)
    assert operator.get("/mes/labour-pools/new/").status_code == 403
