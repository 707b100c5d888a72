"""Releasing many work orders at once: `POST /api/v1/mes/work-orders/release/`, each order
released or refused on its own, and two such releases of overlapping sets at once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from mes.models import WorkOrder, WorkOrderReservation, WorkOrderStatus
from mes.services import work_orders
from tests.mes.factories import production_plant, released_order
from wms.selectors.availability import available_quantity

API = "/api/v1/mes/work-orders/release/"


def _draft(plant, quantity="5", priority=5):
    return work_orders.create_work_order(
        site=plant.site,
        item=plant.product,
        quantity=Decimal(quantity),
        due=timezone.now() + timedelta(days=3),
        priority=priority,
        user=plant.planner,
    )


@pytest.fixture
def plant():
    return production_plant()


@pytest.mark.django_db
def test_drafts_are_released_and_an_order_in_the_wrong_state_is_refused_alone(plant, api_as):
    first, second = _draft(plant), _draft(plant)
    done = released_order(plant)
    answer = api_as(plant.planner).post(API, {"ids": [first.pk, done.pk, second.pk]}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["released"] == [first.number, second.number] and body["refused"] == 1
    by_id = {row["id"]: row for row in body["results"]}
    assert by_id[first.pk]["status"] == 200 and by_id[second.pk]["status"] == 200
    assert by_id[done.pk]["status"] == 409 and by_id[done.pk]["code"] == "invalid_transition"
    assert by_id[done.pk]["number"] == done.number and by_id[done.pk]["detail"]
    for order in (first, second):
        order.refresh_from_db()
        assert order.status == WorkOrderStatus.RELEASED and order.released_at is not None
        assert order.reservations.count() == 1
        assert order.operations.get(sequence=10).status == "ready"
        assert order.history.first().status == WorkOrderStatus.RELEASED
        assert order.history.first().history_user == plant.planner
    assert done.reservations.count() == 1


@pytest.mark.django_db
def test_only_refusals_answer_409_and_change_nothing(plant, api_as):
    done = released_order(plant)
    answer = api_as(plant.planner).post(API, {"ids": [done.pk]}, format="json")
    assert answer.status_code == 409
    assert answer.json()["released"] == [] and answer.json()["results"][0]["code"] == "invalid_transition"


@pytest.mark.django_db
def test_another_sites_or_unknown_order_is_a_404_entry(plant, api_as):
    other = _draft(production_plant(prefix="U"))
    mine = _draft(plant)
    answer = api_as(plant.planner).post(API, {"ids": [other.pk, mine.pk, 987_654]}, format="json")
    assert answer.status_code == 200
    by_id = {row["id"]: row for row in answer.json()["results"]}
    assert by_id[other.pk] == {**by_id[other.pk], "status": 404, "number": None}
    assert by_id[987_654]["status"] == 404 and by_id[mine.pk]["status"] == 200
    other.refresh_from_db()
    assert other.status == WorkOrderStatus.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"ids": []}, {"ids": "1,2"}, {"ids": ["x"]}, {"ids": [0]}, {"ids": [1] * 2001}])
def test_a_bad_body_is_a_400_naming_the_field(plant, api_as, body):
    draft = _draft(plant)
    answer = api_as(plant.planner).post(API, body, format="json")
    assert answer.status_code == 400 and "ids" in answer.json()
    draft.refresh_from_db()
    assert draft.status == WorkOrderStatus.DRAFT


@pytest.mark.django_db
def test_an_operator_may_not_release(plant, api_as):
    draft = _draft(plant)
    assert api_as(plant.operator).post(API, {"ids": [draft.pk]}, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.status == WorkOrderStatus.DRAFT


@pytest.mark.django_db
def test_stock_is_shared_out_most_urgent_first_and_events_written_per_order(plant):
    from core.models import Event

    later, urgent = _draft(plant, "60", priority=5), _draft(plant, "60", priority=1)
    result = work_orders.release_work_orders(work_orders=[later.pk, urgent.pk], user=plant.planner)
    assert {o.pk for o in result.released} == {later.pk, urgent.pk}
    events = Event.objects.filter(name="mes.work_order.released")
    assert sorted(e.payload["work_order"] for e in events) == sorted([later.number, urgent.number])
    # 100 shafts in stock: the urgent order holds all it needs, the later one the rest.
    assert available_quantity(item=plant.shaft, bin=plant.wip, lot=plant.shaft_lot) == Decimal(0)


@pytest.mark.django_db(transaction=True)
def test_two_bulk_releases_of_overlapping_sets_at_once_release_each_order_once():
    from rest_framework.test import APIClient

    plant = production_plant()
    orders = [_draft(plant, "5") for _ in range(6)]
    sets = [[o.pk for o in orders[:4]], [o.pk for o in orders[2:]]]
    answers = [None, None]
    barrier = threading.Barrier(2)

    def worker(index):
        try:
            client = APIClient()
            client.force_authenticate(plant.planner)
            barrier.wait(timeout=30)
            response = client.post(API, {"ids": sets[index]}, format="json")
            answers[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a release hung (deadlock?)"
    assert [a[0] for a in answers] == [200, 200]
    released = [number for _status, body in answers for number in body["released"]]
    assert sorted(released) == sorted(o.number for o in orders)  # each order exactly once
    refused = [row for _status, body in answers for row in body["results"] if row["status"] != 200]
    assert len(refused) == 2 and {row["status"] for row in refused} == {409}
    assert set(WorkOrder.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)) == {
        WorkOrderStatus.RELEASED
    }
    for order in orders:
        assert WorkOrderReservation.objects.filter(work_order=order).count() == 1
    # One shaft a piece: six orders of 5 hold 30 of the 100 shafts.
    assert available_quantity(item=plant.shaft, bin=plant.wip, lot=plant.shaft_lot) == Decimal("70")


@pytest.mark.django_db
def test_release_selected_on_the_desk_list(plant, web_as):
    first, second = _draft(plant), _draft(plant)
    done = released_order(plant)
    client = web_as(plant.planner)
    listing = client.get("/mes/work-orders/").content.decode()
    assert "Release selected" in listing and f'name="ids" value="{first.pk}"' in listing
    answer = client.post(
        "/mes/work-orders/release-selected/",
        {"ids": [first.pk, second.pk, done.pk], "next": "/mes/work-orders/?status=draft"},
        follow=True,
    )
    assert answer.redirect_chain[-1][0] == "/mes/work-orders/?status=draft"
    page = answer.content.decode()
    assert f"Released 2 work orders: {first.number}, {second.number}." in page
    assert f"{done.number}: A work order that is released cannot be released." in page
    assert set(WorkOrder.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        WorkOrderStatus.RELEASED
    }


@pytest.mark.django_db
def test_release_selected_needs_ticks_and_the_permission(plant, web_as):
    draft = _draft(plant)
    nothing = web_as(plant.planner).post("/mes/work-orders/release-selected/", {"ids": ["x"]}, follow=True)
    assert "Tick the work orders to release." in nothing.content.decode()
    operator = web_as(plant.operator)
    assert "Release selected" not in operator.get("/mes/work-orders/").content.decode()
    operator.post("/mes/work-orders/release-selected/", {"ids": [draft.pk], "next": "https://evil.example/"})
    draft.refresh_from_db()
    assert draft.status == WorkOrderStatus.DRAFT


@pytest.mark.django_db
def test_a_large_list_estimates_its_count_and_a_short_page_settles_it(plant, api_as, web_as, monkeypatch):
    from core.api.pagination import EstimatedCountPaginator

    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 0)
    orders = [_draft(plant) for _ in range(5)]
    client = api_as(plant.planner)
    first = client.get("/api/v1/mes/work-orders/", {"page_size": 2}).json()
    assert first["count"] >= 3 and len(first["results"]) == 2
    last = client.get("/api/v1/mes/work-orders/", {"page_size": 2, "page": 3}).json()
    assert last["count"] == 5 and [r["number"] for r in last["results"]] == [orders[0].number]
    row = last["results"][0]
    assert row["operations"] == list(orders[0].operations.order_by("sequence").values_list("pk", flat=True))
    assert (row["site"], row["item"], row["unit"], row["bom_version"]) == ("TS", "T-FG", "pcs", 1)
    listing = web_as(plant.planner).get("/mes/work-orders/").content.decode()
    assert "About 5 records" in listing or "5 records" in listing


@pytest.mark.django_db
def test_a_filter_that_matches_nothing_pages_without_a_server_error(api_as):
    """Filters that can match nothing leave no query to estimate the count from: the count is 0,
    page 1 is empty and a later page is 404 (the deployed-server fuzzer found this as a 500)."""
    from tests.factories import UserFactory

    client = api_as(UserFactory(roles=["admin"]))
    odd = (
        "/api/v1/mes/work-orders/?priority=-318&item=P%2F%11%03%C3%AE%F2%A8%B8%A5&number="
        "&site=%F1%8E%84%A4%C3%A2%17&reference=test+stock&status=released&status=in_progress"
    )
    first = client.get(odd)
    assert first.status_code == 200 and first.json()["count"] == 0, first.content[:200]
    later = client.get(odd + "&page=162")
    assert later.status_code == 404
