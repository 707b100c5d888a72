"""The plant simulator: realistic telemetry for every machine, counts at the ideal cycle time
booked to the running operation, faults, over MQTT through the real broker and in-process."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from mes.models import IdealCycleTime, TelemetryLatest, TelemetryMinute, TelemetrySample
from mes.services import operations
from mes.services.ingest import Ingestor
from mes.simulator import PlantSimulator
from tests.mes.factories import production_plant, released_order
from tests.mes.ingest_helpers import ingesting, unique, wait_until


@pytest.mark.django_db
def test_twenty_minutes_of_simulated_data_books_counts_at_the_ideal_cycle_time():
    plant = production_plant(prefix=unique("SIM"))
    IdealCycleTime.objects.create(equipment=plant.lathe1, item=plant.product, seconds=20)
    order = released_order(plant, quantity="500")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    simulator = PlantSimulator(site_codes=[plant.site.code], rate=0.1, seed=7)
    assert len(simulator.machines) == 3
    ingestor = Ingestor()
    start = op.started_at + timedelta(seconds=1)
    batch = []
    for second in range(0, 1200, 2):
        batch.extend(simulator.step(start + timedelta(seconds=second)))
        if len(batch) > 500:
            ingestor.ingest(batch)
            batch = []
    ingestor.ingest(batch)
    op.refresh_from_db()
    # 60 cycles of 20 s in 20 minutes, fewer for micro-stops and downtime, some of them scrap.
    assert 40 <= op.good + op.scrap <= 60
    temperatures = TelemetryMinute.objects.filter(equipment=plant.lathe1, tag="temperature")
    assert temperatures.count() >= 18
    assert {row.tag for row in TelemetryLatest.objects.filter(equipment=plant.press)} == {
        "temperature",
        "pressure",
        "vibration",
        "current",
    }
    averages = [row.average for row in temperatures]
    assert max(averages) - min(averages) > 0.1  # noise and drift, not a constant


@pytest.mark.django_db(transaction=True)
def test_simulate_plant_publishes_over_mqtt():
    plant = production_plant(prefix=unique("SIM"))
    with ingesting([f"mes/{plant.site.code}/+/+"]):
        call_command("simulate_plant", "--site", plant.site.code, "--duration", "1.5", "--rate", "4", "--seed", "1")
        wait_until(lambda: TelemetrySample.objects.filter(equipment=plant.press, tag="current").count() >= 4)
    plant.press.refresh_from_db()
    assert plant.press.state == "running"
