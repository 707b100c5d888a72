"""/healthz, /readyz and /metrics as a load balancer, an orchestrator and Prometheus see them."""

import socket

import pytest
from django.test import override_settings

from core.models import Event, OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_touching_dependencies(client):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_probes_are_answered_over_plain_http_when_https_is_enforced(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/accounts/login/").status_code == 301


def test_readyz_is_ok_when_database_redis_and_broker_answer(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "broker": "ok", "status": "ok"}


def test_readyz_names_redis_when_it_is_down(client):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["redis"].startswith("down")
    assert body["database"] == "ok"


def test_readyz_names_the_broker_when_it_is_down(client):
    dead = f"redis://127.0.0.1:{_closed_port()}/0"
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=dead):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("down")
    assert body["redis"] == "ok"


def test_metrics_for_an_admin_show_the_outbox_backlog(client):
    event = Event.objects.create(name="wms.stock.moved", payload={})
    OutboxMessage.objects.create(event=event, channel=OutboxMessage.Channel.WEBSOCKET, target="live.all.wms")
    client.force_login(UserFactory(roles=["admin"]))

    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "core_outbox_pending 1.0" in response.content.decode()


def test_metrics_answer_the_scraper_address_without_login(client):
    with override_settings(METRICS_ALLOWED_IPS=["10.9.9.9"]):
        response = client.get("/metrics", REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 200
    assert "# TYPE core_outbox_pending gauge" in response.content.decode()


def test_metrics_are_forbidden_to_a_non_admin_from_elsewhere(client):
    client.force_login(UserFactory(roles=["supervisor"]))
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    assert "core_outbox_pending" not in response.content.decode()


def test_metrics_are_forbidden_to_anonymous_visitors_from_elsewhere(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
