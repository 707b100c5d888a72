"""The work-order desk pages: list, create, detail with its operations, and the action buttons."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mes.models import WorkOrder
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    return production_plant()


def test_list_and_detail_show_the_order_and_its_operations(plant, web_as):
    order = released_order(plant)
    client = web_as(plant.planner)
    listing = client.get("/mes/work-orders/")
    assert listing.status_code == 200 and order.number in listing.content.decode()
    detail = client.get(f"/mes/work-orders/{order.pk}/").content.decode()
    assert "Assemble" in detail and "T-SHAFT" in detail and "T-MACH" in detail
    assert f"/mes/work-orders/{order.pk}/hold/" in detail


def test_create_then_release_from_the_page(plant, web_as):
    client = web_as(plant.planner)
    due = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        "/mes/work-orders/new/",
        {"site": plant.site.pk, "item": plant.product.pk, "quantity": "8", "due": due, "priority": "3"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    order = WorkOrder.objects.get()
    assert order.status == "draft" and order.priority == 3
    client.post(f"/mes/work-orders/{order.pk}/release/")
    order.refresh_from_db()
    assert order.status == "released"
    refused = client.post(f"/mes/work-orders/{order.pk}/close/", follow=True)
    assert "cannot be closed" in refused.content.decode()
    order.refresh_from_db()
    assert order.status == "released"
    edited = client.post(f"/mes/work-orders/{order.pk}/edit/", {"due": due, "priority": "1", "reference": "rush"})
    assert edited.status_code == 302
    order.refresh_from_db()
    assert order.priority == 1 and order.reference == "rush"


def test_an_operator_sees_but_cannot_move_orders_and_another_site_is_404(plant, web_as):
    order = released_order(plant)
    client = web_as(plant.operator)
    assert client.get(f"/mes/work-orders/{order.pk}/").status_code == 200
    client.post(f"/mes/work-orders/{order.pk}/hold/")
    order.refresh_from_db()
    assert order.status == "released"
    other = released_order(production_plant(prefix="U"))
    assert client.get(f"/mes/work-orders/{other.pk}/").status_code == 404
