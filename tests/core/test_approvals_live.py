"""A new pending decision is pushed live to the approvers' open pages, through the outbox."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async

from core.roles import sync_roles
from tests.core.conftest import CountPlant
from tests.core.test_consumers import _session_cookie, _socket


@pytest.mark.celery_worker
def test_a_count_awaiting_approval_reaches_the_supervisors_page():
    sync_roles()
    plant = CountPlant(code="AL")
    elsewhere = CountPlant(code="AX")
    cookie = _session_cookie(plant.supervisor)

    async def scenario():
        socket = _socket(cookie)
        connected, _ = await socket.connect()
        assert connected
        await socket.send_json_to({"subscribe": "core", "site": "AL"})
        assert await socket.receive_json_from() == {"subscribed": "core", "site": "AL"}
        await database_sync_to_async(elsewhere.pending)()
        _, request = await database_sync_to_async(plant.pending)()
        pushed = await socket.receive_json_from(timeout=10)
        quiet = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return request, pushed, quiet

    request, pushed, quiet = async_to_sync(scenario)()

    assert pushed["event"] == "core.approval.requested"
    assert pushed["site"] == "AL"
    assert pushed["data"]["request"] == request.pk
    assert pushed["data"]["kind"] == "wms.count_variance"
    assert quiet, "another site's request must not reach this page"
