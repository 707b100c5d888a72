"""A planner ticks two drafts and a released order in the work-order list and releases them with
"Release selected": the drafts are released, the released order is refused with its reason."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from mes.models import WorkOrder, WorkOrderStatus
from mes.services import work_orders
from tests.mes.factories import production_plant, released_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def plant():
    made = production_plant()
    made.drafts = [
        work_orders.create_work_order(
            site=made.site,
            item=made.product,
            quantity=Decimal(5),
            due=timezone.now() + timedelta(days=3),
            user=made.planner,
        )
        for _ in range(2)
    ]
    made.done = released_order(made)
    return made


def test_planner_releases_the_ticked_orders(plant, page, login):
    login(page, plant.planner)
    page.goto("/mes/work-orders/")
    for order in [*plant.drafts, plant.done]:
        page.check(f"input[name=ids][value='{order.pk}']")
    page.get_by_role("button", name="Release selected").click()
    page.wait_for_url("**/mes/work-orders/")
    messages = page.inner_text(".messages")
    assert "Released 2 work orders" in messages
    assert f"{plant.done.number}: A work order that is released cannot be released." in messages
    statuses = WorkOrder.objects.filter(pk__in=[o.pk for o in plant.drafts]).values_list("status", flat=True)
    assert set(statuses) == {WorkOrderStatus.RELEASED}
