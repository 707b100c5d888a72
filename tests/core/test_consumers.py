"""Live pages over websockets: config.asgi's application, the Redis channel layer, a real worker."""

from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, stock_in

ORIGIN = (b"origin", b"http://testserver")


def _session_cookie(user) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def _socket(*headers):
    return WebsocketCommunicator(application, "/ws/live/", headers=[ORIGIN, *headers])


def test_unauthenticated_socket_is_refused():
    async def scenario():
        socket = _socket()
        connected, code = await socket.connect()
        await socket.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4401)


@pytest.mark.django_db(transaction=True)
def test_subscriptions_are_checked_against_the_users_sites():
    own, other = SiteFactory(code="P1"), SiteFactory(code="P2")
    operator = UserFactory(roles=["operator"], sites=[own])
    assert other.pk
    cookie = _session_cookie(operator)

    async def scenario():
        socket = _socket(cookie)
        connected, _ = await socket.connect()
        assert connected
        replies = []
        for message in (
            {"subscribe": "wms", "site": "P2"},
            {"subscribe": "wms", "site": "NOWHERE"},
            {"subscribe": "no such topic", "site": "P1"},
            ["not", "an", "object"],
            {"subscribe": "wms", "site": "P1"},
            {"unsubscribe": "wms", "site": "P1"},
        ):
            await socket.send_json_to(message)
            replies.append(await socket.receive_json_from())
        await socket.send_to(text_data="{not json")
        replies.append(await socket.receive_json_from())
        await socket.disconnect()
        return replies

    assert async_to_sync(scenario)() == [
        {"error": "forbidden", "site": "P2"},
        {"error": "forbidden", "site": "NOWHERE"},
        {"error": "invalid_topic"},
        {"error": "invalid_message"},
        {"subscribed": "wms", "site": "P1"},
        {"unsubscribed": "wms", "site": "P1"},
        {"error": "invalid_message"},
    ]


@pytest.mark.celery_worker
def test_stock_move_reaches_the_pages_watching_its_site():
    own, other = SiteFactory(code="P1"), SiteFactory(code="P2")
    storekeeper = UserFactory(roles=["warehouse"], sites=[own])
    item = ItemFactory(code="CMP-100")
    own_bin = BinFactory(zone__warehouse__site=own)
    other_bin = BinFactory(zone__warehouse__site=other)
    cookie = _session_cookie(storekeeper)

    async def scenario():
        socket = _socket(cookie)
        connected, _ = await socket.connect()
        assert connected
        await socket.send_json_to({"subscribe": "wms", "site": "P1"})
        assert await socket.receive_json_from() == {"subscribed": "wms", "site": "P1"}

        # Another site's move is not pushed to this page; its own site's move is, once the
        # worker has drained the outbox after the ledger's transaction committed.
        await database_sync_to_async(stock_in)(bin=other_bin, item=item, quantity="3")
        move = await database_sync_to_async(stock_in)(bin=own_bin, item=item, quantity="12")
        pushed = await socket.receive_json_from(timeout=10)
        quiet = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return move, pushed, quiet

    move, pushed, quiet = async_to_sync(scenario)()

    assert pushed["event"] == "wms.stock.moved"
    assert pushed["site"] == "P1"
    assert pushed["data"]["move"] == move.pk
    assert pushed["data"]["to_bin"] == own_bin.code
    assert Decimal(pushed["data"]["quantity"]) == Decimal("12")
    assert quiet, "the other site's move must not reach this page"


@pytest.mark.django_db(transaction=True)
def test_topics_are_checked_against_the_users_roles_and_bad_site_codes_are_refused():
    own = SiteFactory(code="P1")
    operator = UserFactory(roles=["operator"], sites=[own])
    cookie = _session_cookie(operator)

    async def scenario():
        socket = _socket(cookie)
        connected, _ = await socket.connect(timeout=10)
        assert connected
        replies = []
        for message in (
            {"subscribe": "erp", "site": "P1"},  # an operator reads nothing of the books
            {"subscribe": "auth", "site": "P1"},
            {"subscribe": "wms", "site": "P1\x00"},
            {"subscribe": "wms", "site": ["P1"]},
            {"subscribe": "wms", "site": "P1"},
        ):
            await socket.send_json_to(message)
            replies.append(await socket.receive_json_from(timeout=10))
        await socket.send_to(text_data="[" * 5000 + "]" * 5000)
        replies.append(await socket.receive_json_from(timeout=10))
        await socket.disconnect()
        return replies

    assert async_to_sync(scenario)() == [
        {"error": "forbidden", "site": "P1"},
        {"error": "forbidden", "site": "P1"},
        {"error": "invalid_site"},
        {"error": "invalid_site"},
        {"subscribed": "wms", "site": "P1"},
        {"error": "invalid_message"},
    ]
