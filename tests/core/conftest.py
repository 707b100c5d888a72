"""Fixtures of the approvals tests: a warehouse with a count whose variance awaits approval."""

from decimal import Decimal

import pytest

from core.models import ApprovalRequest
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import CountStatus, CountTask
from wms.services import counting

PASSWORD = "correct-horse-battery"


class CountPlant:
    """One site, one bin with 100 kg of an item costing 10 per kg, a counter and supervisors."""

    def __init__(self, code="AP"):
        self.site = SiteFactory(code=code)
        zone = ZoneFactory(warehouse=WarehouseFactory(site=self.site, code=f"W{code}"), kind="raw", code=f"R{code}")
        self.bin = BinFactory(zone=zone)
        self.item = ItemFactory(standard_cost=Decimal("10"))
        stock_in(bin=self.bin, item=self.item, quantity=100)
        self.counter = UserFactory(roles=["warehouse"], sites=[self.site], email="counter@example.com")
        self.supervisor = UserFactory(roles=["supervisor"], sites=[self.site], email="sup@example.com")
        self.other_supervisor = UserFactory(roles=["supervisor"], sites=[self.site], email="sup2@example.com")

    def open_task(self) -> CountTask:
        return CountTask.objects.create(
            site=self.site,
            bin=self.bin,
            item=self.item,
            due_date=counting.site_today(self.site),
            status=CountStatus.OPEN,
        )

    def pending(self, counted="60") -> tuple[CountTask, ApprovalRequest]:
        """A count of `counted` kg against 100 on record: above the 5 % threshold."""
        task = counting.submit_count(
            task=self.open_task(), counted_quantity=counted, user=self.counter, reason="pallet missing"
        )
        return task, ApprovalRequest.objects.get(object_id=str(task.pk))


@pytest.fixture
def plant(db):
    from core.roles import sync_roles

    sync_roles()
    return CountPlant()
