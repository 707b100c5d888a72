"""The alert pages: the list (open first), acknowledge in one tap, resolve by a ranked action
and a cause, the rules list and form."""

import pytest
from django.test import Client

from core.events import signal
from mes.models import Alert, AlertRule
from tests.mes.factories import production_plant
from tests.mes.test_alerts import batch, rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    return production_plant(prefix="AV")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_list_acknowledge_and_resolve_by_a_ranked_action(plant):
    rule(plant, tag="temp", condition="above", threshold=80, severity="critical")
    rule(
        plant,
        tag="pressure",
        condition="below",
        threshold=4,
        severity="info",
        recommended_actions=["Check supply valve"],
    )
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 90, "pressure": 3})))
    operator = client_for(plant.operator)
    page = operator.get("/mes/alerts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("sev-critical") < html.index("sev-info"), "critical first"
    critical = Alert.objects.get(severity="critical")
    tapped = operator.post(f"/mes/alerts/{critical.pk}/acknowledge/", {"next": "/mes/alerts/"})
    assert tapped.status_code == 302 and tapped["Location"] == "/mes/alerts/"
    critical.refresh_from_db()
    assert critical.status == "acknowledged"

    supervisor = client_for(plant.supervisor)
    detail = supervisor.get(f"/mes/alerts/{critical.pk}/").content.decode()
    assert detail.index("Check coolant flow") < detail.index("Reduce feed")
    supervisor.post(
        f"/mes/alerts/{critical.pk}/resolve/", {"action_taken": "Reduce feed", "other_action": "", "cause": "Worn tool"}
    )
    critical.refresh_from_db()
    assert (critical.status, critical.action_taken, critical.cause) == ("resolved", "Reduce feed", "Worn tool")
    info = Alert.objects.get(severity="info")
    supervisor.post(
        f"/mes/alerts/{info.pk}/resolve/",
        {"action_taken": "Check supply valve", "other_action": "Replaced the regulator", "cause": "Leak"},
    )
    info.refresh_from_db()
    assert info.action_taken == "Replaced the regulator"
    missing = supervisor.post(
        f"/mes/alerts/{Alert.objects.create(site=plant.site, rule=info.rule, equipment=plant.lathe2, severity='info', raised_at=info.raised_at, message='m', last_seen_at=info.raised_at).pk}/resolve/",
        {"action_taken": "x"},
        follow=True,
    )
    assert "required" in missing.content.decode().lower()
    assert "Worn tool" in supervisor.get(f"/mes/alerts/{critical.pk}/").content.decode()
    assert supervisor.get("/mes/alerts/?status=resolved").content.decode().count("status-resolved") == 2


def test_another_sites_alert_page_is_404(plant):
    rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 90})))
    stranger = client_for(production_plant(prefix="AW").supervisor)
    assert stranger.get(f"/mes/alerts/{Alert.objects.get().pk}/").status_code == 404


def test_rule_form_creates_a_class_rule(plant):
    supervisor = client_for(plant.supervisor)
    assert supervisor.get("/mes/alert-rules/new/").status_code == 200
    response = supervisor.post(
        "/mes/alert-rules/new/",
        {
            "site": plant.site.pk,
            "equipment_class": plant.lathe1.equipment_class.pk,
            "tag": "vibration",
            "condition": "above",
            "threshold": "7.1",
            "hold_seconds": "5",
            "window_seconds": "60",
            "severity": "warning",
            "actions_text": "Check the spindle bearings\nBalance the chuck\n",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = AlertRule.objects.get()
    assert made.recommended_actions == ["Check the spindle bearings", "Balance the chuck"]
    assert made.equipment_class == plant.lathe1.equipment_class and made.site == plant.site
    assert "vibration" in supervisor.get("/mes/alert-rules/").content.decode()
    assert client_for(plant.operator).get("/mes/alert-rules/new/").status_code == 403


def test_one_machines_list_watches_that_machines_live_topic(plant):
    rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 90})))
    operator = client_for(plant.operator)
    html = operator.get(f"/mes/alerts/?equipment={plant.lathe1.code}").content.decode()
    assert f'data-live="mes.equipment.{plant.lathe1.code}"' in html
    assert plant.lathe1.code in html
    assert 'data-live="mes"' in operator.get("/mes/alerts/").content.decode()
    assert "No alerts." in operator.get(f"/mes/alerts/?equipment={plant.lathe2.code}").content.decode()
