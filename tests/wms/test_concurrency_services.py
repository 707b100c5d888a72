"""Every state-changing warehouse action fired twice (or beside its neighbour) at once: real
threads, each on its own database connection, against the real PostgreSQL. Each asserts the one
outcome a user would see: one effect, and no error other than a domain error (no deadlock, no
500)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from core.errors import DomainError
from core.models import Event
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import (
    Bin,
    CountStatus,
    CountTask,
    ExpectedReceipt,
    Lot,
    LotStatus,
    PickLine,
    StockMove,
    StockQuant,
)
from wms.services import counting, locations, lots, picking, putaway, receiving
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct-horse-battery"


def race(*actions, rounds: int = 1) -> list:
    """Run the callables at once, each in its own thread and connection (released together by a
    barrier), `rounds` times. Returns what each returned or the DomainError it raised; any other
    exception fails the test."""
    outcomes: list = []
    for _ in range(rounds):
        results: list = [None] * len(actions)
        barrier = threading.Barrier(len(actions))

        def run(index, action, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=30)
                results[index] = action()
            except DomainError as error:
                results[index] = error
            except Exception as error:  # noqa: BLE001 - reported as the test's failure below
                results[index] = ("unexpected", repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "an action hung (deadlock?)"
        unexpected = [r for r in results if isinstance(r, tuple) and r and r[0] == "unexpected"]
        assert not unexpected, unexpected
        outcomes.extend(results)
    return outcomes


def errors(outcomes):
    return [o for o in outcomes if isinstance(o, DomainError)]


@pytest.fixture
def plant():
    sync_roles()
    site = SiteFactory(code="PX")
    warehouse = WarehouseFactory(site=site, code="WHX")
    raw = ZoneFactory(warehouse=warehouse, kind="raw", code="RAW")
    receiving_zone = ZoneFactory(warehouse=warehouse, kind="receiving", code="REC")
    return {
        "site": site,
        "a": BinFactory(zone=raw, aisle="A", rack="01", level="1", position="01"),
        "b": BinFactory(zone=raw, aisle="A", rack="01", level="1", position="02"),
        "dock": BinFactory(zone=receiving_zone, aisle="D", rack="01", level="1", position="01", distance_rank=1),
        "user": UserFactory(roles=["warehouse"], sites=[site]),
        "supervisor": UserFactory(roles=["supervisor"], sites=[site]),
        "admin": UserFactory(roles=["admin"]),
    }


def test_blocking_and_unblocking_two_bins_beside_count_generation_never_deadlocks(plant):
    """The reported deadlock: block and unblock of two bins of one site at once, while the
    site's count generation runs (it used to lock the site row, which every event insert needs)."""
    item = ItemFactory(abc_class="A")
    stock_in(bin=plant["a"], item=item, quantity=5, user=plant["user"])
    stock_in(bin=plant["b"], item=item, quantity=5, user=plant["user"])
    a, b, admin = plant["a"], plant["b"], plant["admin"]

    def api(path):
        def call():
            client = APIClient()
            client.force_authenticate(admin)
            response = client.post(path, {"reason": "rack check"}, format="json")
            assert response.status_code == 200, response.content
            return response.status_code

        return call

    outcomes = race(
        api(f"/api/v1/wms/bins/{a.pk}/block/"),
        api(f"/api/v1/wms/bins/{b.pk}/unblock/"),
        lambda: counting.generate_count_tasks(site=plant["site"]),
        rounds=8,
    )

    assert not errors(outcomes)
    assert Bin.objects.get(pk=a.pk).blocked and not Bin.objects.get(pk=b.pk).blocked


def test_the_same_bin_blocked_twice_at_once_ends_blocked_once(plant):
    outcomes = race(*[lambda: locations.block_bin(bin=plant["a"], user=plant["user"], reason="damaged")] * 2, rounds=3)
    assert not errors(outcomes)
    assert Bin.objects.get(pk=plant["a"].pk).blocked


def test_a_move_beside_blocking_its_bin_either_happens_first_or_is_refused(plant):
    item = ItemFactory()
    stock_in(bin=plant["a"], item=item, quantity=10, user=plant["user"])
    outcomes = race(
        lambda: post_move(
            kind="transfer", item=item, quantity=Decimal(1), from_bin=plant["a"], to_bin=plant["b"], user=plant["user"]
        ),
        lambda: locations.block_bin(bin=plant["a"], user=plant["user"], reason="damaged"),
    )
    refused = errors(outcomes)
    assert all(error.code == "bin_blocked" for error in refused), refused
    moved = StockMove.objects.filter(kind="transfer", item=item).count()
    assert moved == (0 if refused else 1)


def counted_task(plant, *, quantity=10, counted=3):
    item = ItemFactory(standard_cost=Decimal("100"))
    stock_in(bin=plant["a"], item=item, quantity=quantity, user=plant["user"])
    task = CountTask.objects.create(
        site=plant["site"],
        bin=plant["a"],
        item=item,
        due_date=counting.site_today(plant["site"]),
        status=CountStatus.OPEN,
    )
    if counted is not None:
        task = counting.submit_count(task=task, counted_quantity=counted, user=plant["user"], reason="recounted")
    return task


def test_one_task_counted_twice_at_once_is_counted_once(plant):
    task = counted_task(plant, quantity=100, counted=None)  # 99 of 100: within the thresholds, booked at once
    outcomes = race(
        *[lambda: counting.submit_count(task=task, counted_quantity=99, user=plant["user"], reason="x")] * 2
    )
    assert [e.code for e in errors(outcomes)] == ["already_counted"]
    assert StockMove.objects.filter(reference=f"COUNT-{task.pk}").count() == 1


def test_one_count_approved_twice_at_once_books_one_adjustment(plant):
    task = counted_task(plant)
    assert task.status == CountStatus.PENDING_APPROVAL
    approve = lambda: counting.approve_count(task=task, user=plant["supervisor"], password=PASSWORD)  # noqa: E731
    outcomes = race(approve, approve)
    assert [e.code for e in errors(outcomes)] == ["invalid_transition"]
    assert StockMove.objects.filter(reference=f"COUNT-{task.pk}").count() == 1
    assert StockQuant.objects.get(item=task.item, bin=plant["a"]).quantity == Decimal(3)


def test_approve_beside_reject_of_one_count_decides_once(plant):
    task = counted_task(plant)
    outcomes = race(
        lambda: counting.approve_count(task=task, user=plant["supervisor"], password=PASSWORD),
        lambda: counting.reject_count(task=task, user=plant["supervisor"], password=PASSWORD, reason="recount"),
    )
    assert [e.code for e in errors(outcomes)] == ["invalid_transition"]
    task.refresh_from_db()
    assert task.status in (CountStatus.POSTED, CountStatus.REJECTED)
    assert CountTask.objects.filter(recount_of=task).count() == (1 if task.status == CountStatus.REJECTED else 0)


def test_one_count_rejected_twice_at_once_asks_for_one_recount(plant):
    task = counted_task(plant)
    reject = lambda: counting.reject_count(  # noqa: E731
        task=task, user=plant["supervisor"], password=PASSWORD, reason="recount"
    )
    outcomes = race(reject, reject)
    assert [e.code for e in errors(outcomes)] == ["invalid_transition"]
    assert CountTask.objects.filter(recount_of=task).count() == 1


def test_count_generation_twice_at_once_creates_each_task_once(plant):
    item = ItemFactory(abc_class="A")
    stock_in(bin=plant["a"], item=item, quantity=5, user=plant["user"])
    race(*[lambda: counting.generate_count_tasks(site=plant["site"])] * 2)
    assert CountTask.objects.filter(item=item).count() == 1


def test_one_pick_line_confirmed_twice_at_once_moves_once(plant):
    item = ItemFactory()
    stock_in(bin=plant["a"], item=item, quantity=10, user=plant["user"])
    pick_list = picking.create_pick_list(
        site=plant["site"], purpose="shipment", lines=[{"item": item, "quantity": "4"}], user=plant["user"]
    )
    line = pick_list.lines.get()
    confirm = lambda: picking.confirm_pick(line=line, picked_quantity="4", user=plant["user"])  # noqa: E731
    outcomes = race(confirm, confirm)
    assert [e.code for e in errors(outcomes)] == ["pick_line_closed"]
    assert StockMove.objects.filter(reference=pick_list.number).count() == 1
    assert StockQuant.objects.get(item=item, bin=plant["a"]).quantity == Decimal(6)


def test_one_pick_list_cancelled_twice_at_once_is_cancelled_once(plant):
    item = ItemFactory()
    stock_in(bin=plant["a"], item=item, quantity=10, user=plant["user"])
    pick_list = picking.create_pick_list(
        site=plant["site"], purpose="shipment", lines=[{"item": item, "quantity": "4"}], user=plant["user"]
    )
    cancel = lambda: picking.cancel_pick_list(pick_list=pick_list, user=plant["supervisor"])  # noqa: E731
    outcomes = race(cancel, cancel)
    assert [e.code for e in errors(outcomes)] == ["invalid_transition"]
    assert Event.objects.filter(name="wms.picklist.cancelled").count() == 1


def test_a_plain_issue_beside_a_pick_list_never_takes_what_the_list_holds(plant):
    """Allocation and the ledger decide under the same stock-row lock: the list and the issue
    never both count the same pieces as free."""
    item = ItemFactory()
    stock_in(bin=plant["a"], item=item, quantity=10, user=plant["user"])
    for _ in range(3):
        race(
            lambda: picking.create_pick_list(
                site=plant["site"], purpose="shipment", lines=[{"item": item, "quantity": "3"}], user=plant["user"]
            ),
            lambda: post_move(kind="issue", item=item, quantity=Decimal(2), from_bin=plant["a"], user=plant["user"]),
        )
    on_hand = StockQuant.objects.get(item=item, bin=plant["a"]).quantity
    held = sum(line.quantity for line in PickLine.objects.filter(item=item, status="open", bin__isnull=False))
    assert held <= on_hand
    assert on_hand == Decimal(10) - sum(m.quantity for m in StockMove.objects.filter(kind="issue", item=item))


def test_two_receipts_of_the_last_expected_quantity_accept_one(plant):
    item = ItemFactory()
    receipt = receiving.create_expected_receipt(
        site=plant["site"],
        lines=[{"item": item, "quantity": "10", "over_tolerance_pct": "0"}],
        user=plant["user"],
    )
    line = receipt.lines.get()
    receive = lambda: receiving.receive_goods(  # noqa: E731
        site=plant["site"], item=item, quantity="10", line=line, user=plant["user"]
    )
    outcomes = race(receive, receive)
    assert [e.code for e in errors(outcomes)] in (["over_receipt"], ["receipt_not_open"])
    assert StockMove.objects.filter(kind="receipt", item=item).count() == 1
    assert ExpectedReceipt.objects.get(pk=receipt.pk).status == "received"


def test_two_putaways_of_the_same_goods_put_them_away_once(plant):
    item = ItemFactory()
    stock_in(bin=plant["dock"], item=item, quantity=5, user=plant["user"])
    store = lambda: putaway.confirm_putaway(  # noqa: E731
        item=item, quantity=Decimal(5), from_bin=plant["dock"], to_bin=plant["a"], user=plant["user"]
    )
    outcomes = race(store, store)
    assert [e.code for e in errors(outcomes)] == ["insufficient_stock"]
    assert StockQuant.objects.get(item=item, bin=plant["a"]).quantity == Decimal(5)


def test_one_lot_held_twice_at_once_changes_status_once(plant):
    lot = LotFactory(site=plant["site"])
    hold = lambda: lots.hold_lot(lot=lot, user=plant["user"], reason="suspect supplier")  # noqa: E731
    outcomes = race(hold, hold)
    assert not errors(outcomes)
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.ON_HOLD
    assert Event.objects.filter(name="wms.lot.status_changed", payload__lot=lot.code).count() == 1


def test_parallel_receipts_of_one_new_serial_put_it_on_hand_once(plant):
    item = ItemFactory(tracking="serial")
    bins = [plant["a"], plant["b"]]
    outcomes = race(
        *[
            (
                lambda bin_=bins[i % 2]: post_move(
                    kind="receipt", item=item, lot_code="SN-0001", quantity=Decimal(1), to_bin=bin_, user=plant["user"]
                )
            )
            for i in range(8)
        ]
    )
    assert {e.code for e in errors(outcomes)} <= {"serial_on_hand", "serial_quantity"}
    assert len(errors(outcomes)) == 7
    lot = Lot.objects.get(item=item, code="SN-0001")
    assert sum(q.quantity for q in StockQuant.objects.filter(lot=lot)) == Decimal(1)
