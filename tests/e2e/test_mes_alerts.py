"""A supervisor works an alert in Chromium: sees it at the top of the list, acknowledges it in
one tap, resolves it by tapping the recommended action that cured it and naming the cause."""

import pytest

from core.events import signal
from mes.models import Alert
from mes.services import alerts
from tests.mes.factories import production_plant
from tests.mes.test_alerts import batch

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plant():
    plant = production_plant(prefix="AB")
    alerts.create_alert_rule(
        user=plant.supervisor,
        equipment=plant.lathe1,
        tag="temp",
        condition="above",
        threshold=80,
        severity="critical",
        message="Spindle over temperature",
        recommended_actions=["Check coolant flow", "Reduce feed"],
    )
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 91.5})))
    return plant


def test_supervisor_acknowledges_then_resolves_with_a_ranked_action(plant, page, login):
    login(page, plant.supervisor)
    page.goto("/mes/alerts/")
    row = page.locator("table.alerts tbody tr", has_text="Spindle over temperature")
    assert "AB-LATHE1" in row.inner_text() and "Critical" in row.inner_text()
    row.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state()
    assert "Acknowledged." in page.inner_text(".messages")
    row = page.locator("table.alerts tbody tr", has_text="Spindle over temperature")
    row.get_by_role("link", name="Resolve").click()
    page.wait_for_url("**/mes/alerts/*/**")
    choices = page.locator(".action-choices label")
    assert choices.nth(0).inner_text().endswith("Check coolant flow")
    choices.filter(has_text="Reduce feed").click()
    page.fill("input[name=cause]", "Feed too high for the new insert")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_load_state()
    assert "Resolved." in page.inner_text(".messages")
    alert = Alert.objects.get()
    assert (alert.status, alert.action_taken, alert.acknowledged_by) == ("resolved", "Reduce feed", plant.supervisor)
    page.goto(f"/mes/alerts/{alert.pk}/")
    assert "Feed too high for the new insert" in page.inner_text("main")
