"""Machine-data ingestion through the real Mosquitto on 127.0.0.1:1883: bad input becomes dead
letters with their reasons and ingestion goes on, a redelivered msg_id applies once, state and
count messages reach the state history and the operation, and the shared counters reach
/metrics. Each test publishes under a site code of its own."""

import json
import os
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.events import off_signal, on_signal
from mes.ingest.metrics import ProcessMetrics
from mes.models import (
    DeadLetter,
    Equipment,
    EquipmentStateRecord,
    IngestCounter,
    ProductionReport,
    TelemetryLatest,
    TelemetryMinute,
    TelemetrySample,
)
from mes.services import operations
from tests.factories import SiteFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory, production_plant, released_order
from tests.mes.ingest_helpers import ingesting, publisher, unique, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _now() -> str:
    return timezone.now().isoformat()


def _applied(kind: str) -> int:
    return IngestCounter.objects.filter(key=f"messages:{kind}:applied").values_list("value", flat=True).first() or 0


@pytest.fixture
def machine():
    site = SiteFactory(code=unique("S"))
    work_centre = WorkCentreFactory(site=site, code=unique("WC"), area=AreaFactory(site=site, code=unique("AR")))
    return EquipmentFactory(work_centre=work_centre, code=unique("EQ"))


@pytest.fixture
def unused_port():
    import socket

    first = int(os.environ.get("TEST_MQTT_PORT_BASE", "9140")) - 30
    for port in range(first, first + 30):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip(f"no free port in {first}-{first + 29}")


def test_telemetry_is_stored_aggregated_and_signalled(machine):
    seen = []
    handler = on_signal("mes.telemetry")(lambda records: seen.extend(records))
    base = f"mes/{machine.site.code}/{machine.code}"
    ts = datetime.now(UTC).replace(second=5, microsecond=0)
    try:
        with ingesting([f"mes/{machine.site.code}/+/+"]), publisher() as pub:
            for n, temperature in enumerate([70.5, 72.5, 71.0]):
                pub.send(
                    f"{base}/telemetry",
                    {"msg_id": f"t{n}", "ts": (ts + timedelta(seconds=n)).isoformat(), "values": {"temp": temperature}},
                )
            wait_until(lambda: TelemetrySample.objects.filter(equipment=machine).count() == 3)
    finally:
        off_signal("mes.telemetry", handler)
    minute = TelemetryMinute.objects.get(equipment=machine, tag="temp")
    assert (minute.count, minute.minimum, minute.maximum) == (3, 70.5, 72.5)
    assert minute.average == pytest.approx(71.333, abs=0.01)
    assert TelemetryLatest.objects.get(equipment=machine, tag="temp").value == 71.0
    mine = [r for r in seen if r["equipment_id"] == machine.pk]
    assert [r["values"]["temp"] for r in mine] == [70.5, 72.5, 71.0]
    assert mine[0]["site_id"] == machine.site_id and mine[0]["ts"] == ts


def test_each_kind_of_bad_input_is_a_dead_letter_and_ingestion_goes_on(machine):
    site, code = machine.site.code, machine.code
    base = f"mes/{site}/{code}"
    ghost_site = unique("NOSITE")
    far_future = (timezone.now() + timedelta(days=2)).isoformat()
    too_old = (timezone.now() - timedelta(days=400)).isoformat()
    cases = [
        (f"{base}/telemetry", b"{not json", "malformed_json"),
        (f"{base}/telemetry", b'[{"msg_id": "a"}]', "not_an_object"),
        (f"{base}/telemetry", json.dumps({"ts": _now(), "values": {"t": 1}}), "missing_field"),
        (f"{base}/telemetry", json.dumps({"msg_id": 5, "ts": _now(), "values": {"t": 1}}), "invalid_field"),
        (f"{base}/telemetry", json.dumps({"msg_id": "b", "ts": "yesterday", "values": {"t": 1}}), "invalid_field"),
        (
            f"{base}/telemetry",
            json.dumps({"msg_id": "c", "ts": _now(), "values": {"t": 1, "p": "high"}}),
            "non_numeric_value",
        ),
        (
            f"mes/{ghost_site}/{code}/telemetry",
            json.dumps({"msg_id": "d", "ts": _now(), "values": {"t": 1}}),
            "unknown_site",
        ),
        (
            f"mes/{site}/NOPE-{code}/telemetry",
            json.dumps({"msg_id": "e", "ts": _now(), "values": {"t": 1}}),
            "unknown_equipment",
        ),
        (
            f"{base}/telemetry",
            json.dumps({"msg_id": "f", "ts": _now(), "values": {"t": 1}, "pad": "x" * 70_000}),
            "payload_too_large",
        ),
        (f"{base}/telemetry", json.dumps({"msg_id": "g", "ts": far_future, "values": {"t": 1}}), "ts_in_future"),
        (f"{base}/telemetry", json.dumps({"msg_id": "h", "ts": too_old, "values": {"t": 1}}), "ts_beyond_retention"),
        (f"{base}/state", json.dumps({"msg_id": "i", "ts": _now(), "state": "exploded"}), "unknown_state"),
        (f"{base}/count", json.dumps({"msg_id": "j", "ts": _now(), "good": -1, "scrap": 0}), "negative_count"),
        (f"{base}/telemetry", b'{"msg_id": "k", "ts": "\xff\xfe", "values": {}}', "not_utf8"),
    ]
    with ingesting([f"mes/{site}/+/+", f"mes/{ghost_site}/+/+"]), publisher() as pub:
        for topic, payload, _reason in cases:
            pub.send(topic, payload)
        pub.send(f"{base}/telemetry", {"msg_id": "ok", "ts": _now(), "values": {"temp": 20, "rpm": 1500}})
        wait_until(lambda: TelemetrySample.objects.filter(equipment=machine).count() == 2)
        wait_until(lambda: DeadLetter.objects.filter(topic__contains=code).count() == len(cases))
    letters = list(DeadLetter.objects.filter(topic__contains=code).order_by("id"))
    assert [letter.reason for letter in letters] == [reason for _t, _p, reason in cases]
    assert bytes(letters[0].payload) == b"{not json"
    # Nothing of a message with one bad value was applied.
    assert not TelemetrySample.objects.filter(equipment=machine, tag="p").exists()
    assert TelemetryLatest.objects.filter(equipment=machine).count() == 2
    counter = IngestCounter.objects.get(key="dead_letters:invalid_field")
    assert counter.value >= 2


def test_a_redelivered_message_is_applied_once(machine):
    base = f"mes/{machine.site.code}/{machine.code}"
    message = {"msg_id": "dup-1", "ts": _now(), "values": {"temp": 50, "pressure": 3.5}}
    duplicates_before = (
        IngestCounter.objects.filter(key="messages:telemetry:duplicate").values_list("value", flat=True).first() or 0
    )
    with ingesting([f"mes/{machine.site.code}/+/+"]), publisher() as pub:
        pub.send(f"{base}/telemetry", message)
        wait_until(lambda: TelemetrySample.objects.filter(equipment=machine).count() == 2)
        pub.send(f"{base}/telemetry", message)
        pub.send(f"{base}/telemetry", message)
        pub.send(f"{base}/telemetry", {**message, "msg_id": "dup-2"})
        wait_until(lambda: TelemetrySample.objects.filter(equipment=machine).count() == 4)
        wait_until(lambda: IngestCounter.objects.get(key="messages:telemetry:duplicate").value == duplicates_before + 2)
    assert TelemetryMinute.objects.get(equipment=machine, tag="temp").count == 2


def test_state_messages_build_the_state_history_and_older_ones_are_ignored(machine):
    base = f"mes/{machine.site.code}/{machine.code}"
    start = timezone.now() + timedelta(seconds=1)
    with ingesting([f"mes/{machine.site.code}/+/+"]), publisher() as pub:
        pub.send(f"{base}/state", {"msg_id": "s1", "ts": start.isoformat(), "state": "running"})
        pub.send(
            f"{base}/state",
            {"msg_id": "s2", "ts": (start + timedelta(seconds=30)).isoformat(), "state": "down", "reason": None},
        )
        wait_until(lambda: Equipment.objects.get(pk=machine.pk).state == "down")
        # An old state arriving late changes nothing.
        pub.send(f"{base}/state", {"msg_id": "s0", "ts": (start - timedelta(minutes=5)).isoformat(), "state": "setup"})
        pub.send(f"{base}/telemetry", {"msg_id": "after", "ts": _now(), "values": {"t": 1}})
        wait_until(lambda: TelemetrySample.objects.filter(equipment=machine).exists())
    machine.refresh_from_db()
    assert machine.state == "down"
    assert machine.state_since == start + timedelta(seconds=30)
    history = list(EquipmentStateRecord.objects.filter(equipment=machine).order_by("started_at"))
    assert [r.state for r in history][-2:] == ["running", "down"]
    assert history[-2].ended_at == start + timedelta(seconds=30)


def test_counts_are_booked_to_the_running_operation_once():
    prefix = unique("C")
    plant = production_plant(prefix=prefix)
    order = released_order(plant, quantity="20")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    idle = plant.lathe2
    base = f"mes/{plant.site.code}"
    with ingesting([f"{base}/+/+"]), publisher() as pub:
        count = {"msg_id": "c1", "ts": _now(), "good": 3, "scrap": 1}
        pub.send(f"{base}/{plant.lathe1.code}/count", count)
        pub.send(f"{base}/{plant.lathe1.code}/count", count)
        pub.send(f"{base}/{idle.code}/count", {"msg_id": "c2", "ts": _now(), "good": 1, "scrap": 0})
        wait_until(lambda: DeadLetter.objects.filter(topic__contains=idle.code).exists())
        wait_until(lambda: ProductionReport.objects.filter(operation=op).exists())
    op.refresh_from_db()
    assert (op.good, op.scrap) == (3, 1)
    report = ProductionReport.objects.get(operation=op)
    assert report.user.username == "machine-data" and not report.user.is_active
    assert report.idempotency_key == f"mqtt:{plant.lathe1.pk}:c1"
    assert DeadLetter.objects.get(topic__contains=idle.code).reason == "no_running_operation"


def test_metrics_report_the_shared_counters_and_the_process_figures(machine, admin_client, unused_port):
    base = f"mes/{machine.site.code}/{machine.code}"
    metrics = ProcessMetrics()
    server, _thread = metrics.serve(unused_port, addr="127.0.0.1")
    try:
        with ingesting([f"mes/{machine.site.code}/+/+"], metrics=metrics), publisher() as pub:
            pub.send(f"{base}/telemetry", {"msg_id": "m1", "ts": _now(), "values": {"a": 1, "b": 2, "c": 3}})
            pub.send(f"{base}/telemetry", b"garbage")
            wait_until(lambda: DeadLetter.objects.filter(topic__contains=machine.code).exists())
            wait_until(lambda: TelemetrySample.objects.filter(equipment=machine).count() == 3)
        process = urllib.request.urlopen(f"http://127.0.0.1:{unused_port}/metrics", timeout=5).read().decode()
    finally:
        server.shutdown()
    assert "mes_ingest_process_values_total 3.0" in process
    assert "mes_ingest_lag_seconds" in process and "mes_ingest_batch_messages_bucket" in process
    shared = admin_client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    values = IngestCounter.objects.get(key="values").value
    assert f"mes_telemetry_values_total {float(values)}" in shared
    assert 'mes_ingest_messages_total{kind="telemetry",result="dead_letter"}' in shared
    assert 'mes_ingest_dead_letters_total{reason="malformed_json"}' in shared


def test_the_same_batch_ingested_twice_at_once_is_applied_once(machine):
    """Two ingest processes handed the same redelivered messages at the same moment (separate
    connections): the unique key lets one apply them, the other sees duplicates."""
    import threading

    from django.db import connection

    from mes.services.ingest import Ingestor

    base = f"mes/{machine.site.code}/{machine.code}"
    batch = [
        (f"{base}/telemetry", json.dumps({"msg_id": f"race-{n}", "ts": _now(), "values": {"a": n}}).encode())
        for n in range(50)
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(5)
            results.append(Ingestor().ingest(batch))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    applied = sorted(r.counts[("telemetry", "applied")] for r in results)
    duplicates = sorted(r.counts[("telemetry", "duplicate")] for r in results)
    assert sum(applied) == 50 and sum(duplicates) == 50
    assert TelemetrySample.objects.filter(equipment=machine).count() == 50
