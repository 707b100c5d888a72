"""Reliability of `manage.py ingest_mqtt` through a private Mosquitto (persistent sessions, a
large queue): a process killed with SIGKILL mid-stream and started again stores every message
exactly once, and two processes on a shared subscription split one stream with nothing lost or
doubled."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from mes.models import IngestedMessage, TelemetryMinute, TelemetrySample
from tests.factories import SiteFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory
from tests.mes.ingest_helpers import Publisher, private_broker, unique, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 3000
# The ports of the private brokers and metrics servers: 12 from this one (a shared machine gives
# each checkout its own range).
PORTS = int(os.environ.get("TEST_MQTT_PORT_BASE", "9140"))


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _ingest(url: str, topic: str, client_id: str, metrics_port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "ingest_mqtt",
            "--url",
            url,
            "--client-id",
            client_id,
            "--topic",
            topic,
            "--group",
            client_id.rsplit("-", 1)[0],
            "--metrics-port",
            str(metrics_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _subscribed(port: int) -> bool:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return "mes_ingest_connected 1.0" in text


def _processed(port: int) -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return sum(float(v) for v in re.findall(r"^mes_ingest_process_messages_total\{[^}]*\} (\S+)$", text, re.M))


@pytest.fixture
def machine():
    site = SiteFactory(code=unique("R"))
    work_centre = WorkCentreFactory(site=site, code=unique("WC"), area=AreaFactory(site=site, code=unique("AR")))
    return EquipmentFactory(work_centre=work_centre, code=unique("EQ"))


def _stream(
    port: int, topic: str, count: int, started: threading.Event | None = None, pause: float = 0.0
) -> threading.Thread:
    """Publish `count` QoS 1 telemetry messages of two values each, from a thread (`pause`
    seconds after each: a stream that lasts, for ingestion faster than the publisher)."""
    base = timezone.now() - timedelta(minutes=10)

    def publish():
        pub = Publisher(port)
        try:
            for n in range(count):
                ts = (base + timedelta(milliseconds=100 * n)).isoformat()
                pub.client.publish(topic, f'{{"msg_id":"m{n}","ts":"{ts}","values":{{"a":{n},"b":1.5}}}}', qos=1)
                if started is not None and n == count // 4:
                    started.set()
                if pause:
                    time.sleep(pause)
            pub.client.publish(topic, b"{}", qos=1).wait_for_publish(30)
        finally:
            pub.close()

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    return thread


def _stored_exactly_once(machine, count: int) -> None:
    wait_until(lambda: IngestedMessage.objects.filter(equipment=machine).count() == count, timeout=60, interval=0.2)
    assert TelemetrySample.objects.filter(equipment=machine).count() == 2 * count
    totals = TelemetryMinute.objects.filter(equipment=machine, tag="a").aggregate(n=Sum("count"), s=Sum("total"))
    assert totals == {"n": count, "s": float(sum(range(count)))}


def test_sigkill_mid_stream_then_restart_stores_every_message_exactly_once(machine, tmp_path):
    topic = f"mes/{machine.site.code}/{machine.code}/telemetry"
    client_id = unique("rel-kill-")
    with private_broker(PORTS + 10, tmp_path) as url:
        first = _ingest(url, f"mes/{machine.site.code}/+/+", client_id, PORTS + 0)
        try:
            wait_until(lambda: _try(_subscribed, PORTS + 0), timeout=60, interval=0.2)
            started = threading.Event()
            # About 3 s of stream: the kill lands in it however fast ingestion keeps up.
            publishing = _stream(PORTS + 10, topic, MESSAGES, started, pause=0.001)
            started.wait(30)
            wait_until(lambda: IngestedMessage.objects.filter(equipment=machine).count() > 200, timeout=30)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            in_flight = IngestedMessage.objects.filter(equipment=machine).count()
            assert in_flight < MESSAGES, "the stream ended before the kill: it proves nothing"
        finally:
            first.kill()
        second = _ingest(url, f"mes/{machine.site.code}/+/+", client_id, PORTS + 1)
        try:
            publishing.join(60)
            _stored_exactly_once(machine, MESSAGES)
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0


def test_two_processes_on_a_shared_subscription_split_one_stream(machine, tmp_path):
    topic = f"mes/{machine.site.code}/{machine.code}/telemetry"
    group = unique("rel-share")
    with private_broker(PORTS + 11, tmp_path) as url:
        workers = [_ingest(url, f"mes/{machine.site.code}/+/+", f"{group}-{n}", PORTS + 2 + n) for n in range(2)]
        try:
            for n in range(2):
                wait_until(lambda n=n: _try(_subscribed, PORTS + 2 + n), timeout=60, interval=0.2)
            _stream(PORTS + 11, topic, MESSAGES).join(60)
            _stored_exactly_once(machine, MESSAGES)
            shares = [_processed(PORTS + 2 + n) for n in range(2)]
            assert all(share > 0 for share in shares), shares
            assert sum(shares) >= MESSAGES
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                assert worker.wait(20) == 0


def _try(function, *args):
    try:
        return function(*args)
    except OSError:
        return None
