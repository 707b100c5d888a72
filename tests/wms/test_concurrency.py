"""The stock ledger under parallel requests: real threads, each with its own database connection
and its own API client, against the real PostgreSQL."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import Lot, StockMove, StockQuant

# Up to 50 connections at once: run on the worker of the other connection-heavy test (the
# deployed-server fuzzing), one after the other, so both stay within PostgreSQL's max_connections.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("many_connections")]

MOVES = "/api/v1/wms/moves/"


def run_in_parallel(user, bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST each body from its own thread (own client, own connection), all released at once."""
    from rest_framework.test import APIClient

    results: list[tuple[int, dict] | None] = [None] * len(bodies)
    barrier = threading.Barrier(len(bodies))

    def worker(index: int, body: dict) -> None:
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(MOVES, body, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, body)) for i, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    assert all(result is not None for result in results), "a thread died without an answer"
    return results


@pytest.fixture
def plant():
    # A transactional test flushes the database; role permissions of the warehouse models are
    # re-granted here in case the flush's post-migrate pass ran before they existed.
    sync_roles()
    site = SiteFactory(code="PC")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WHC"), kind="raw", code="RAW")
    return {
        "site": site,
        "bin_a": BinFactory(zone=zone, aisle="A", rack="01", level="1", position="01"),
        "bin_b": BinFactory(zone=zone, aisle="A", rack="01", level="1", position="02"),
        "user": UserFactory(roles=["warehouse"], sites=[site]),
    }


def assert_refusals_are_insufficient_stock(results):
    for status, body in results:
        assert status in (201, 409), body
        if status == 409:
            assert body["code"] == "insufficient_stock", body


def test_forty_parallel_issues_of_one_never_oversell_a_lot(plant):
    # Forty threads, each on a connection of its own: room under max_connections for the other
    # worker's servers while this runs.
    lot = LotFactory(site=plant["site"], code="RACE-1")
    stock_in(bin=plant["bin_a"], item=lot.item, quantity=25, lot=lot, user=plant["user"])
    body = {"kind": "issue", "item": lot.item.code, "lot": "RACE-1", "from_bin": plant["bin_a"].code, "quantity": "1"}

    results = run_in_parallel(plant["user"], [body] * 40)

    successes = sum(1 for status, _ in results if status == 201)
    assert successes == 25
    assert_refusals_are_insufficient_stock(results)
    quant = StockQuant.objects.get(item=lot.item, bin=plant["bin_a"], lot=lot)
    assert quant.quantity == Decimal(25 - successes) == 0
    assert StockMove.objects.filter(kind="issue", lot=lot).count() == successes


def test_parallel_issues_of_mixed_quantities_book_exactly_what_was_granted(plant):
    item = ItemFactory(code="MIX-1")
    stock_in(bin=plant["bin_a"], item=item, quantity=100, user=plant["user"])
    quantities = [1, 2, 3, 5, 7] * 8  # 144 asked for, 100 on hand
    bodies = [
        {"kind": "issue", "item": "MIX-1", "from_bin": plant["bin_a"].code, "quantity": str(q)} for q in quantities
    ]

    results = run_in_parallel(plant["user"], bodies)

    granted = sum(Decimal(body["quantity"]) for status, body in results if status == 201)
    successes = sum(1 for status, _ in results if status == 201)
    assert_refusals_are_insufficient_stock(results)
    on_hand = StockQuant.objects.get(item=item, bin=plant["bin_a"]).quantity
    assert on_hand == Decimal(100) - granted and on_hand >= 0
    # Stock only went down, so each refusal (it lacked stock at its turn) still lacks it now.
    refused = [q for q, (status, _) in zip(quantities, results, strict=True) if status == 409]
    assert refused and on_hand < min(refused)
    moves = StockMove.objects.filter(kind="issue", item=item)
    assert moves.count() == successes
    assert sum(m.quantity for m in moves) == granted


def test_opposite_transfers_between_two_bins_do_not_deadlock(plant):
    item = ItemFactory(code="SWAP-1")
    stock_in(bin=plant["bin_a"], item=item, quantity=50, user=plant["user"])
    stock_in(bin=plant["bin_b"], item=item, quantity=50, user=plant["user"])
    a, b = plant["bin_a"].code, plant["bin_b"].code
    bodies = [
        {"kind": "transfer", "item": "SWAP-1", "from_bin": src, "to_bin": dst, "quantity": "1"}
        for src, dst in [(a, b), (b, a)] * 15
    ]

    results = run_in_parallel(plant["user"], bodies)

    assert [status for status, _ in results] == [201] * len(bodies), [b for s, b in results if s != 201]
    quants = StockQuant.objects.filter(item=item)
    assert sum(q.quantity for q in quants) == Decimal(100)
    assert {q.bin.code: q.quantity for q in quants} == {a: Decimal(50), b: Decimal(50)}


def test_parallel_receipts_into_a_new_lot_code_create_the_lot_once(plant):
    item = ItemFactory(code="NEWLOT-1", tracking="lot")
    bins = [plant["bin_a"].code, plant["bin_b"].code]
    bodies = [
        {"kind": "receipt", "item": "NEWLOT-1", "lot": "FRESH-1", "to_bin": bins[i % 2], "quantity": "2"}
        for i in range(12)
    ]

    results = run_in_parallel(plant["user"], bodies)

    assert [status for status, _ in results] == [201] * len(bodies), [b for s, b in results if s != 201]
    lots = Lot.objects.filter(item=item, code="FRESH-1")
    assert lots.count() == 1
    lot = lots.get()
    assert {body["lot"] for _, body in results} == {"FRESH-1"}
    assert StockMove.objects.filter(lot=lot).count() == 12
    assert sum(q.quantity for q in StockQuant.objects.filter(lot=lot)) == Decimal(24)
