"""The equipment page's machine data: live values, trends with alert markers, alerts and actions."""

from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from mes.models import Alert, AlertRule
from mes.selectors.machine_page import machine_data
from mes.services.ingest import Ingestor
from tests.mes.factories import production_plant

pytestmark = pytest.mark.django_db


def test_the_equipment_page_shows_values_trends_and_the_alert_with_its_actions(client):
    plant = production_plant(prefix="G")
    AlertRule.objects.create(
        site=plant.site,
        name="Spindle hot",
        equipment=plant.lathe1,
        tag="temperature",
        condition="above",
        threshold=80,
        hold_seconds=0,
        severity="warning",
        recommended_actions=["Check coolant flow", "Reduce feed"],
        message="Spindle too hot",
    )
    now = timezone.now().replace(microsecond=0)
    topic = f"mes/{plant.site.code}/{plant.lathe1.code}/telemetry"
    values = ({"temperature": 60.0 + i * 2, "current": 12.5} for i in range(20))
    bodies = [
        {"msg_id": f"m{i}", "ts": (now - timedelta(minutes=30 - i)).isoformat(), "values": v}
        for i, v in enumerate(values)
    ]
    Ingestor().ingest([(topic, orjson.dumps(body)) for body in bodies])  # raises the alert in the batch
    alert = Alert.objects.get(equipment=plant.lathe1)
    data = machine_data(plant.lathe1)
    assert {row.tag for row in data["latest"]} == {"temperature", "current"}
    assert data["alerts"] == [alert]
    markers = [trace for trace in data["trend"]["data"] if trace.get("mode") == "markers"]
    assert len(markers) == 1 and markers[0]["y"] == [alert.value]
    client.force_login(plant.supervisor)
    page = client.get(f"/mes/equipment/{plant.lathe1.code}/")
    assert page.status_code == 200
    text = page.text
    assert "Machine data" in text and "Spindle too hot" in text and "Check coolant flow" in text
    assert 'data-plotly="chart-machine-trend-data"' in text


def test_a_machine_without_data_says_so(client):
    plant = production_plant(prefix="H")
    client.force_login(plant.supervisor)
    page = client.get(f"/mes/equipment/{plant.lathe2.code}/")
    assert page.status_code == 200 and "No machine data received" in page.text
