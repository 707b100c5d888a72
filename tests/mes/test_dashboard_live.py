"""The dashboard's live feed: a production report and a state change reach a supervisor's open
socket through the outbox and a real worker, naming the machine whose tile must change."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from mes.services import equipment as equipment_service
from mes.services import operations, production
from tests.core.test_consumers import _session_cookie, _socket
from tests.mes.factories import production_plant, released_order


async def _until(socket, name, timeout=10):
    """The first pushed event called `name` (others, such as the operation's own, are skipped)."""
    while True:
        message = await socket.receive_json_from(timeout=timeout)
        if message.get("event") == name:
            return message


@pytest.mark.celery_worker
def test_the_dashboard_is_pushed_a_report_and_a_state_change():
    plant = production_plant(prefix="L")
    elsewhere = production_plant(prefix="M")
    order = released_order(plant)
    operation = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    cookie = _session_cookie(plant.supervisor)

    def report():
        production.report_production(operation=operation, user=plant.operator, idempotency_key="live-1", good=2)

    def other_site_breaks_down():
        equipment_service.set_equipment_state(equipment=elsewhere.press, state="down", reason=elsewhere.jam)

    def press_breaks_down():
        equipment_service.set_equipment_state(equipment=plant.press, state="down", reason=plant.jam)

    async def scenario():
        socket = _socket(cookie)
        connected, _ = await socket.connect()
        assert connected
        await socket.send_json_to({"subscribe": "mes", "site": plant.site.code})
        assert await socket.receive_json_from() == {"subscribed": "mes", "site": plant.site.code}
        await database_sync_to_async(report)()
        reported = await _until(socket, "mes.production.reported")
        await database_sync_to_async(other_site_breaks_down)()
        await database_sync_to_async(press_breaks_down)()
        changed = await _until(socket, "mes.equipment.state_changed")
        quiet = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return reported, changed, quiet

    reported, changed, quiet = async_to_sync(scenario)()

    assert reported["site"] == plant.site.code
    assert reported["data"]["equipment"] == "L-LATHE1" and reported["data"]["operation_good"] == "2.000000"
    assert changed["data"]["equipment"] == "L-PRESS1" and changed["data"]["state"] == "down"
    assert changed["data"]["reason"] == "JAM"
    assert quiet, "another site's machine must not reach this dashboard"


def test_a_supervisor_of_another_site_cannot_watch_it(transactional_db):
    plant = production_plant(prefix="N")
    stranger = production_plant(prefix="O").supervisor
    cookie = _session_cookie(stranger)

    async def scenario():
        socket = _socket(cookie)
        await socket.connect()
        await socket.send_json_to({"subscribe": "mes", "site": plant.site.code})
        reply = await socket.receive_json_from()
        await socket.disconnect()
        return reply

    assert async_to_sync(scenario)() == {"error": "forbidden", "site": plant.site.code}
