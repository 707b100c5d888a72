"""The OPC UA connector against a real asyncua server in-process: values, states and counters go
through the same ingestion as MQTT, bad values become dead letters with their reasons, a server
that goes away and comes back is reconnected to with nothing stored twice, and a change of the
configuration is picked up."""

import os
import signal
import subprocess
import sys
import urllib.request

import pytest
from asyncua import ua

from bench._server import free_port
from mes.models import (
    DeadLetter,
    Equipment,
    IngestedMessage,
    NodeCarries,
    OpcUaNode,
    ProductionReport,
    TelemetryLatest,
    TelemetrySample,
)
from mes.services import opcua, operations
from tests.factories import SiteFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory, production_plant, released_order
from tests.mes.ingest_helpers import unique
from tests.mes.ingest_helpers import wait_until as _wait_until
from tests.mes.opcua_helpers import connector, plant_server

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until(condition, timeout: float = 45.0):
    """Polls (the sessions and the server share a busy machine with other tests)."""
    return _wait_until(condition, timeout=timeout)


@pytest.fixture
def machine():
    site = SiteFactory(code=unique("S"))
    work_centre = WorkCentreFactory(site=site, code=unique("WC"), area=AreaFactory(site=site, code=unique("AR")))
    return EquipmentFactory(work_centre=work_centre, code=unique("EQ"))


def _endpoint(server, site, **extra):
    return opcua.create_endpoint(
        user=None, site=site, code=unique("UA"), name="Press line", url=server.url, publishing_interval_ms=50, **extra
    )


def _node(endpoint, equipment, server, name, carries=NodeCarries.VALUE, tag="", **extra):
    return opcua.create_node(
        user=None,
        endpoint=endpoint,
        equipment=equipment,
        node_id=server.node_id(name),
        carries=carries,
        tag=tag,
        **extra,
    )


def test_values_and_states_are_stored_and_bad_values_are_dead_letters(machine):
    variables = {"Temp": 20.5, "Running": True, "Mode": "idle", "Label": "n/a", "Pressure": 1.0}
    with plant_server(variables) as server:
        endpoint = _endpoint(server, machine.site)
        _node(endpoint, machine, server, "Temp", tag="temperature")
        _node(endpoint, machine, server, "Running", tag="running")
        _node(endpoint, machine, server, "Mode", carries=NodeCarries.STATE)
        _node(endpoint, machine, server, "Label", tag="label")
        _node(endpoint, machine, server, "Pressure", tag="pressure")
        with connector(site=machine.site.code):
            wait_until(lambda: TelemetryLatest.objects.filter(equipment=machine, tag="temperature").exists())
            server.write("Temp", 42.25)
            server.write("Mode", "Running")
            wait_until(
                lambda: TelemetryLatest.objects.filter(equipment=machine, tag="temperature", value=42.25).exists()
            )
            wait_until(lambda: Equipment.objects.get(pk=machine.pk).state == "running")
            server.write("Pressure", 9.0, status=ua.StatusCodes.BadSensorFailure)
            server.write("Mode", "exploded")
            wait_until(lambda: DeadLetter.objects.filter(topic__contains=machine.code).count() >= 3)
    samples = TelemetrySample.objects.filter(equipment=machine)
    assert sorted(samples.filter(tag="temperature").values_list("value", flat=True)) == [20.5, 42.25]
    assert list(samples.filter(tag="running").values_list("value", flat=True)) == [1.0]
    assert not samples.filter(tag="label").exists()
    reasons = dict(DeadLetter.objects.filter(topic__contains=machine.code).values_list("reason", "detail"))
    assert reasons["non_numeric_value"] == "label: n/a"
    assert reasons["bad_status"] == f"{server.node_id('Pressure')}: BadSensorFailure"
    assert reasons["unknown_state"] == "exploded"
    assert Equipment.objects.get(pk=machine.pk).state == "running"


def test_counters_book_their_increase_to_the_running_operation():
    plant = production_plant(prefix=unique("C"))
    order = released_order(plant, quantity="50")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    with plant_server(
        {"Good": ua.Variant(1000, ua.VariantType.Int64), "Scrap": ua.Variant(7, ua.VariantType.Int64)}
    ) as server:
        endpoint = _endpoint(server, plant.site)
        good = _node(endpoint, plant.lathe1, server, "Good", carries=NodeCarries.GOOD_COUNT)
        scrap = _node(endpoint, plant.lathe1, server, "Scrap", carries=NodeCarries.SCRAP_COUNT)
        with connector(site=plant.site.code):
            # The first totals are the base: nothing is booked for them.
            wait_until(lambda: OpcUaNode.objects.get(pk=good.pk).counter_value == 1000)
            wait_until(lambda: OpcUaNode.objects.get(pk=scrap.pk).counter_value == 7)
            server.write("Good", 1003)
            server.write("Scrap", 8)
            wait_until(lambda: ProductionReport.objects.filter(operation=op).count() == 2)
    op.refresh_from_db()
    assert (op.good, op.scrap) == (3, 1)
    assert ProductionReport.objects.filter(operation=op, user__username="machine-data").count() == 2


def test_server_restart_is_reconnected_and_nothing_is_stored_twice(machine):
    plant = production_plant(prefix=unique("R"))
    order = released_order(plant, quantity="50")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    with plant_server({"Temp": 1.0, "Good": ua.Variant(10, ua.VariantType.Int64)}) as server:
        endpoint = _endpoint(server, plant.site)
        _node(endpoint, plant.lathe1, server, "Temp", tag="t")
        _node(endpoint, plant.lathe1, server, "Good", carries=NodeCarries.GOOD_COUNT)
        with connector(site=plant.site.code) as runner:
            wait_until(lambda: TelemetrySample.objects.filter(equipment=plant.lathe1, tag="t").exists())
            wait_until(lambda: OpcUaNode.objects.filter(endpoint=endpoint, counter_value=10).exists())
            server.write("Temp", 2.0)
            server.write("Good", 12)
            wait_until(lambda: TelemetrySample.objects.filter(equipment=plant.lathe1, tag="t").count() == 2)
            wait_until(lambda: ProductionReport.objects.filter(operation=op).exists())
            keys = IngestedMessage.objects.filter(equipment=plant.lathe1).count()
            server.stop()
            wait_until(lambda: not runner.connected)
            server.start()
            wait_until(lambda: runner.connected)
            # The new subscription sends the current values again: duplicates, stored once.
            wait_until(lambda: IngestedMessage.objects.filter(equipment=plant.lathe1).count() == keys)
            server.write("Temp", 3.0)
            server.write("Good", 15)
            wait_until(lambda: TelemetrySample.objects.filter(equipment=plant.lathe1, tag="t").count() == 3)
            wait_until(lambda: ProductionReport.objects.filter(operation=op).count() == 2)
    assert sorted(TelemetrySample.objects.filter(equipment=plant.lathe1, tag="t").values_list("value", flat=True)) == [
        1.0,
        2.0,
        3.0,
    ]
    op.refresh_from_db()
    assert op.good == 5


def test_configuration_changes_are_picked_up_and_deadband_skips_small_changes(machine):
    with plant_server({"A": 1.0, "B": 5.0}) as server:
        endpoint = _endpoint(server, machine.site)
        _node(endpoint, machine, server, "A", tag="a", deadband=0.5)
        with connector(site=machine.site.code, reload_seconds=0.2) as runner:
            wait_until(lambda: TelemetrySample.objects.filter(equipment=machine, tag="a").exists())
            server.write("A", 1.2)
            server.write("A", 2.0)
            wait_until(lambda: TelemetrySample.objects.filter(equipment=machine, tag="a", value=2.0).exists())
            _node(endpoint, machine, server, "B", tag="b")
            wait_until(lambda: TelemetrySample.objects.filter(equipment=machine, tag="b", value=5.0).exists())
            opcua.update_endpoint(endpoint=endpoint, user=None, data={"enabled": False})
            wait_until(lambda: not runner.connected)
            server.write("B", 6.0)
            server.write("A", 9.0)
    # 1.2 was within the deadband of 1.0; nothing arrives once the endpoint is disabled.
    assert sorted(TelemetrySample.objects.filter(equipment=machine, tag="a").values_list("value", flat=True)) == [
        1.0,
        2.0,
    ]
    assert list(TelemetrySample.objects.filter(equipment=machine, tag="b").values_list("value", flat=True)) == [5.0]


def test_the_command_serves_its_metrics_and_stops_cleanly_on_sigterm(machine):
    from tests.mes.test_ingest_reliability import ROOT, _database_url

    port = free_port()
    with plant_server({"Temp": 5.0}) as server:
        endpoint = _endpoint(server, machine.site)
        _node(endpoint, machine, server, "Temp", tag="t")
        env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.test_settings"}
        process = subprocess.Popen(
            [sys.executable, "manage.py", "ingest_opcua", "--site", machine.site.code, "--metrics-port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until(lambda: "mes_ingest_connected 1.0" in _metrics(port), timeout=60)
            server.write("Temp", 6.0)
            wait_until(lambda: TelemetrySample.objects.filter(equipment=machine, tag="t").count() == 2)
            assert "mes_ingest_process_values_total 2.0" in _metrics(port)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 0
            assert b"Ingestion stopped." in process.stdout.read()
        finally:
            if process.poll() is None:
                process.kill()


def _metrics(port: int) -> str:
    try:
        return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return ""


def test_the_simulated_plant_over_opc_ua_reaches_the_telemetry_store():
    from datetime import timedelta

    from django.utils import timezone

    from mes.simulator import PlantSimulator
    from mes.simulator_opcua import OpcUaPlantServer, set_up_endpoints

    plant = production_plant(prefix=unique("D"))
    simulator = PlantSimulator(site_codes=[plant.site.code], seed=7)
    server = OpcUaPlantServer(port=free_port(), host="127.0.0.1")
    server.start([machine.topic.rsplit("/", 1)[-1] for machine in simulator.machines])
    try:
        now = timezone.now()
        server.apply(simulator.step(now))
        (endpoint,) = set_up_endpoints(url=server.url, site_codes=[plant.site.code], namespace=server.ns)
        assert set_up_endpoints(url=server.url, site_codes=[plant.site.code], namespace=server.ns) == [endpoint]
        with connector(site=plant.site.code):
            wait_until(lambda: TelemetryLatest.objects.filter(equipment=plant.lathe1, tag="temperature").exists())
            server.apply(simulator.step(now + timedelta(seconds=2)))
            wait_until(lambda: TelemetrySample.objects.filter(equipment=plant.lathe1, tag="temperature").count() >= 2)
    finally:
        server.stop()
    assert Equipment.objects.get(pk=plant.lathe1.pk).state == "running"
    assert not DeadLetter.objects.filter(topic__contains=plant.lathe1.code).exists()
