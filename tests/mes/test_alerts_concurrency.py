"""Alerts under parallel work: two ingestion batches at once, two people acting at once, each
on its own connection; and the live push of a raised alert to the supervisors' page and the
machine's terminal."""

import threading

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.db import connection, transaction

from core.events import signal
from mes.models import Alert
from mes.services import alerts
from tests.core.test_consumers import _session_cookie, _socket
from tests.mes.factories import production_plant
from tests.mes.test_alerts import batch, rule

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls) -> list:
    """Run each call in its own thread (own connection), released together; return results or
    the exceptions raised."""
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def worker(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def plant():
    return production_plant(prefix="AC")


def test_two_batches_at_once_raise_one_open_alert(plant):
    rule(plant, tag="temp", condition="above", threshold=80)

    def ingest(value):
        def run():
            with transaction.atomic():
                signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": value})))

        return run

    for _ in range(3):
        results = at_once(ingest(90), ingest(91), ingest(92))
        assert not [r for r in results if isinstance(r, Exception)], results
    [alert] = Alert.objects.all()
    assert alert.status == "raised"


def test_acknowledge_twice_at_once_acknowledges_once(plant):
    rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 90})))
    alert = Alert.objects.get()
    results = at_once(
        lambda: alerts.acknowledge_alert(alert=alert, user=plant.operator),
        lambda: alerts.acknowledge_alert(alert=alert, user=plant.operator2),
    )
    done = [r for r in results if isinstance(r, Alert)]
    refused = [r for r in results if not isinstance(r, Alert)]
    assert len(done) == 1 and getattr(refused[0], "code", None) == "invalid_transition", results
    alert.refresh_from_db()
    assert alert.acknowledged_by == done[0].acknowledged_by
    assert alert.history.filter(status="acknowledged").count() == 1


def test_resolve_twice_at_once_resolves_once_and_counts_once(plant):
    over = rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 90})))
    alert = Alert.objects.get()
    results = at_once(
        *[
            lambda: alerts.resolve_alert(alert=alert, user=plant.supervisor, cause="Hot", action_taken="Reduce feed")
            for _ in range(2)
        ]
    )
    assert sum(isinstance(r, Alert) for r in results) == 1, results
    assert [getattr(r, "code", None) for r in results if not isinstance(r, Alert)] == ["invalid_transition"]
    over.refresh_from_db()
    assert over.resolution_counts == {"Reduce feed": 1}


@pytest.mark.celery_worker
def test_a_raised_alert_reaches_the_dashboard_and_the_machines_terminal(plant):
    rule(plant, tag="temp", condition="above", threshold=80, severity="critical")
    other = production_plant(prefix="AD")
    rule(other, tag="temp", condition="above", threshold=80)
    supervisor_cookie = _session_cookie(plant.supervisor)
    operator_cookie = _session_cookie(plant.operator)
    terminal_topic = f"mes.equipment.{plant.lathe1.code}"

    def ingest(machine, value):
        with transaction.atomic():
            signal("mes.telemetry", batch(machine, (0, {"temp": value})))

    async def scenario():
        dashboard, terminal, elsewhere = _socket(supervisor_cookie), _socket(operator_cookie), _socket(operator_cookie)
        for socket, topic in ((dashboard, "mes"), (terminal, terminal_topic)):
            assert (await socket.connect())[0]
            await socket.send_json_to({"subscribe": topic, "site": "ACS"})
            assert await socket.receive_json_from() == {"subscribed": topic, "site": "ACS"}
        assert (await elsewhere.connect())[0]
        await elsewhere.send_json_to({"subscribe": "mes.equipment.AC-LATHE2", "site": "ACS"})
        await elsewhere.receive_json_from()
        await database_sync_to_async(ingest)(other.lathe1, 99)
        await database_sync_to_async(ingest)(plant.lathe1, 95)
        on_dashboard = await dashboard.receive_json_from(timeout=10)
        on_terminal = await terminal.receive_json_from(timeout=10)
        quiet = await dashboard.receive_nothing(timeout=0.5) and await elsewhere.receive_nothing(timeout=0.3)
        for socket in (dashboard, terminal, elsewhere):
            await socket.disconnect()
        return on_dashboard, on_terminal, quiet

    on_dashboard, on_terminal, quiet = async_to_sync(scenario)()
    assert on_dashboard["event"] == "mes.alert.raised" and on_dashboard["site"] == "ACS"
    assert on_dashboard["data"]["equipment"] == plant.lathe1.code
    assert on_dashboard["data"]["severity"] == "critical" and on_dashboard["data"]["value"] == 95.0
    assert on_terminal["event"] == "mes.alert.raised" and on_terminal["data"]["alert"] == on_dashboard["data"]["alert"]
    assert quiet, "another site's alert and another machine's topic stay silent"


def test_a_stranger_cannot_watch_another_sites_machine(plant):
    other = production_plant(prefix="AE")
    cookie = _session_cookie(other.operator)

    async def scenario():
        socket = _socket(cookie)
        await socket.connect()
        await socket.send_json_to({"subscribe": f"mes.equipment.{plant.lathe1.code}", "site": "ACS"})
        forbidden = await socket.receive_json_from()
        await socket.send_json_to({"subscribe": "mes.equipment.bad code!", "site": "AES"})
        invalid = await socket.receive_json_from()
        await socket.disconnect()
        return forbidden, invalid

    forbidden, invalid = async_to_sync(scenario)()
    assert forbidden == {"error": "forbidden", "site": "ACS"}
    assert invalid == {"error": "invalid_topic"}
