"""Celery with the real broker: JSON task messages, a broker outage that loses nothing."""

import base64
import json
import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings

from config.celery import app as celery_app
from core.models import Event, OutboxMessage, Webhook
from core.tasks import deliver_outbox_message
from tests.conftest import reset_broker_pools, running_celery_worker
from tests.factories import UnitFactory, UserFactory

REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(
    REDIS_SERVER is None, reason="redis-server is not installed: the broker outage test starts and stops its own"
)


class PrivateBroker:
    """A redis-server of this test's own on a free port, which the test may stop and restart."""

    def __init__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 5
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(5)
            self.process = None

    def queued(self, queue="celery") -> list[dict]:
        return [json.loads(raw) for raw in redis.Redis.from_url(self.url).lrange(queue, 0, -1)]


@pytest.fixture
def private_broker():
    """Point the Celery app (publishers and workers) at a broker the test controls."""
    broker = PrivateBroker()
    broker.start()
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    celery_app.conf.broker_url = broker.url
    celery_app.conf.task_always_eager = False
    reset_broker_pools(celery_app)
    try:
        yield broker
    finally:
        broker.stop()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
        reset_broker_pools(celery_app)


@needs_redis_server
@pytest.mark.django_db
def test_task_messages_are_json_and_late_acknowledged(private_broker):
    deliver_outbox_message.delay(42)

    [message] = private_broker.queued()
    assert message["content-type"] == "application/json"
    assert message["headers"]["task"] == "core.tasks.deliver_outbox_message"
    assert json.loads(base64.b64decode(message["body"]))[0] == [42]
    assert deliver_outbox_message.acks_late
    assert celery_app.conf.accept_content == ["json"]


def test_beat_sweeps_the_outbox_every_30_seconds():
    entry = settings.CELERY_BEAT_SCHEDULE["core.drain_outbox"]
    assert entry["task"] in celery_app.tasks
    assert float(entry["schedule"]) == 30.0


def _create_item(api, code):
    started = time.monotonic()
    response = api.post(
        "/api/v1/core/items/",
        {"code": code, "name": f"Item {code}", "type": "raw", "base_unit": "pcs", "tracking": "none"},
        format="json",
    )
    return response, time.monotonic() - started


@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_broker_outage_delays_deliveries_and_loses_none(private_broker, api_as, webhook_receiver, client):
    UnitFactory()
    admin = UserFactory(roles=["admin"])
    api = api_as(admin)
    Webhook.objects.create(name="ERP bridge", url=webhook_receiver.url, secret="s3cret", events=["core.item.*"])

    assert api.get("/api/v1/core/items/").status_code == 200  # URLs and views loaded: time the broker only

    private_broker.stop()
    response, seconds = _create_item(api, "CMP-100")

    # The request neither fails nor hangs on the dead broker; the delivery waits in the outbox.
    assert response.status_code == 201, response.content
    assert seconds < 1
    event = Event.objects.get(name="core.item.created", payload__code="CMP-100")
    [waiting] = OutboxMessage.objects.filter(event=event)
    assert waiting.status == OutboxMessage.Status.PENDING and waiting.attempts == 0
    client.force_login(admin)
    assert "core_outbox_pending 1.0" in client.get("/metrics", REMOTE_ADDR="10.0.0.9").content.decode()

    private_broker.start()  # the same port, empty: the enqueue of the first delivery was lost
    with running_celery_worker():
        # What beat does every 30 s: send the sweep through the broker to a worker.
        entry = settings.CELERY_BEAT_SCHEDULE["core.drain_outbox"]
        celery_app.send_task(entry["task"])
        [request] = webhook_receiver.wait_for(1)
        assert request["headers"]["X-Event-Id"] == str(event.id)

        # New events go straight through the broker again, no sweep needed.
        response, _ = _create_item(api, "CMP-200")
        assert response.status_code == 201
        requests = webhook_receiver.wait_for(2)

    assert [json.loads(r["body"])["data"]["code"] for r in requests] == ["CMP-100", "CMP-200"]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxMessage.Status.DELIVERED}
    assert len(webhook_receiver.requests) == 2
