"""The alert resources as the contract states them: fields, filters, permissions, 400/404/409."""

import pytest
from rest_framework.test import APIClient

from core.events import signal
from mes.models import Alert
from tests.factories import UserFactory
from tests.mes.factories import production_plant
from tests.mes.test_alerts import batch

pytestmark = pytest.mark.django_db

API = "/api/v1/mes"
RULE = {
    "equipment": "AP-LATHE1",
    "tag": "temp",
    "condition": "above",
    "threshold": 80,
    "hold_seconds": 0,
    "severity": "critical",
    "recommended_actions": ["Check coolant flow", "Reduce feed"],
}


@pytest.fixture
def plant():
    return production_plant(prefix="AP")


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rule_contract_and_who_may_create(plant):
    maintenance = UserFactory(username="apmaint", roles=["maintenance"], sites=[plant.site])
    created = client_for(maintenance).post(f"{API}/alert-rules/", RULE, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    for field in ("id", "equipment", "equipment_class", "tag", "condition", "threshold", "hold_seconds", "severity"):
        assert field in body
    assert body["equipment"] == "AP-LATHE1" and body["equipment_class"] is None
    assert body["recommended_actions"] == ["Check coolant flow", "Reduce feed"]
    by_class = dict(RULE, equipment=None, equipment_class=plant.lathe1.equipment_class.code, condition="below")
    assert client_for(plant.supervisor).post(f"{API}/alert-rules/", by_class, format="json").status_code == 201
    assert client_for(plant.operator).post(f"{API}/alert-rules/", RULE, format="json").status_code == 403
    assert client_for(plant.planner).post(f"{API}/alert-rules/", RULE, format="json").status_code == 403
    listed = client_for(plant.operator).get(f"{API}/alert-rules/?equipment=AP-LATHE1").json()
    assert listed["count"] == 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"condition": "sideways"}, "condition"),
        ({"severity": "fatal"}, "severity"),
        ({"recommended_actions": []}, "recommended_actions"),
        ({"recommended_actions": "reduce feed"}, "recommended_actions"),
        ({"equipment": "NOPE"}, "equipment"),
        ({"threshold": None}, "threshold"),
        ({"threshold": "hot"}, "threshold"),
        ({"equipment_class": "CNC"}, "equipment"),
        ({"hold_seconds": -1}, "hold_seconds"),
    ],
)
def test_bad_rules_are_400_naming_the_field(plant, change, field):
    from tests.mes.factories import EquipmentClassFactory

    EquipmentClassFactory(code="CNC")
    response = client_for(plant.supervisor).post(f"{API}/alert-rules/", {**RULE, **change}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json() or response.json().get("field") == field, response.json()


def raise_alert(plant):
    client_for(plant.supervisor).post(f"{API}/alert-rules/", RULE, format="json")
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 90})))
    return Alert.objects.get()


def test_alert_contract_filters_and_lifecycle(plant):
    alert = raise_alert(plant)
    operator = client_for(plant.operator)
    listed = operator.get(f"{API}/alerts/?equipment=AP-LATHE1&status=raised").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    for field in ("id", "equipment", "rule", "severity", "status", "raised_at", "value", "message"):
        assert field in row
    assert row["equipment"] == "AP-LATHE1" and row["status"] == "raised" and row["value"] == 90.0
    assert row["recommended_actions"] == ["Check coolant flow", "Reduce feed"]
    assert operator.get(f"{API}/alerts/?status=resolved").json()["count"] == 0
    assert operator.get(f"{API}/alerts/?severity=critical&site=APS").json()["count"] == 1
    assert operator.get(f"{API}/alerts/?equipment=AP-LATHE2").json()["count"] == 0

    acknowledged = operator.post(f"{API}/alerts/{alert.pk}/acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == plant.operator.username
    again = operator.post(f"{API}/alerts/{alert.pk}/acknowledge/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert operator.post(f"{API}/alerts/{alert.pk}/resolve/", {"cause": "x", "action_taken": "y"}).status_code == 403

    supervisor = client_for(plant.supervisor)
    missing = supervisor.post(f"{API}/alerts/{alert.pk}/resolve/", {"cause": "Blocked filter"}, format="json")
    assert missing.status_code == 400 and "action_taken" in missing.json()
    blank = supervisor.post(f"{API}/alerts/{alert.pk}/resolve/", {"cause": " ", "action_taken": "x"}, format="json")
    assert blank.status_code == 400
    body = {"cause": "Blocked filter", "action_taken": "Reduce feed"}
    resolved = supervisor.post(f"{API}/alerts/{alert.pk}/resolve/", body, format="json")
    assert resolved.status_code == 200, resolved.json()
    assert resolved.json()["status"] == "resolved" and resolved.json()["action_taken"] == "Reduce feed"
    assert resolved.json()["recommended_actions"] == ["Reduce feed", "Check coolant flow"]
    twice = supervisor.post(f"{API}/alerts/{alert.pk}/resolve/", body, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "invalid_transition"
    assert operator.post(f"{API}/alerts/{alert.pk}/acknowledge/").status_code == 409


def test_another_sites_alert_is_404(plant):
    alert = raise_alert(plant)
    other = production_plant(prefix="AQ")
    stranger = client_for(other.supervisor)
    assert stranger.get(f"{API}/alerts/{alert.pk}/").status_code == 404
    assert stranger.post(f"{API}/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert stranger.get(f"{API}/alerts/").json()["count"] == 0
    rule = stranger.post(f"{API}/alert-rules/", RULE, format="json")
    assert rule.status_code == 400 and "equipment" in rule.json()


def test_metric_on_the_metrics_page(plant):
    raise_alert(plant)
    admin = UserFactory(username="apadmin", roles=["admin"])
    client = APIClient()
    client.force_login(admin)
    text = client.get("/metrics").content.decode()
    assert 'mes_alerts_open{severity="critical"} 1.0' in text
