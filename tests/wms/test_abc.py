from datetime import timedelta
from decimal import Decimal

import pytest

from core.errors import PermissionDenied, ValidationFailed
from core.models import Item
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import BinFactory, stock_in
from wms.models import StockPolicy
from wms.selectors.kpis import abc_from_usage
from wms.selectors.planning import item_abc_class
from wms.services.abc import apply_abc_classes
from wms.services.counting import site_today
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    """Five items used for 50, 30, 10, 6 and 4 % of the value, plus one on the shelf unused."""
    bin_ = BinFactory()
    site = bin_.warehouse.site
    user = UserFactory(roles=["planner", "warehouse"], sites=[site])
    items = {}
    for code, used in (("ABC-1", 500), ("ABC-2", 300), ("ABC-3", 100), ("ABC-4", 60), ("ABC-5", 40)):
        item = ItemFactory(code=code, standard_cost=Decimal("1"), abc_class="C")
        stock_in(bin=bin_, item=item, quantity=used + 10)
        post_move(kind="issue", item=item, quantity=Decimal(used), from_bin=bin_, user=user)
        items[code] = item
    idle = ItemFactory(code="ABC-6", standard_cost=Decimal("9"), abc_class="A")
    stock_in(bin=bin_, item=idle, quantity=10)
    today = site_today(site)
    return site, user, today - timedelta(days=30), today


def test_classes_follow_the_usage_distribution(setup):
    site, user, start, end = setup
    frame = abc_from_usage(user=user, site=site, start=start, end=end).set_index("item")

    assert frame["proposed_class"].to_dict() == {
        "ABC-1": "A",
        "ABC-2": "A",
        "ABC-3": "B",
        "ABC-4": "B",
        "ABC-5": "C",
        "ABC-6": "C",
    }
    assert frame.loc["ABC-1", "usage_value"] == Decimal("500.00")
    assert frame.loc["ABC-2", "cumulative_share"] == pytest.approx(0.8)
    assert frame.loc["ABC-6", "current_class"] == "A"


def test_shares_are_validated(setup):
    site, user, start, end = setup
    with pytest.raises(ValidationFailed) as error:
        abc_from_usage(user=user, site=site, start=start, end=end, a_share=0.9, b_share=0.8)
    assert error.value.field == "b_share"


def site_class(site, code):
    return item_abc_class(item=Item.objects.get(code=code), site=site)


def test_apply_changes_the_classes_at_that_site_only(setup):
    site, user, start, end = setup
    other = BinFactory()  # another site stocking the same items keeps their classes
    stock_in(bin=other, item=Item.objects.get(code="ABC-3"), quantity=5)

    changed = apply_abc_classes(site=site, user=user, start=start, end=end)

    assert changed == 5  # ABC-1..4 from C, ABC-6 from A; ABC-5 stays C
    assert site_class(site, "ABC-3") == "B" and site_class(site, "ABC-6") == "C"
    assert site_class(other.warehouse.site, "ABC-3") == "C" and site_class(other.warehouse.site, "ABC-6") == "A"
    assert Item.objects.get(code="ABC-6").abc_class == "A"  # the item's default is untouched
    assert StockPolicy.objects.get(site=site, item__code="ABC-3").abc_class == "B"
    assert apply_abc_classes(site=site, user=user, start=start, end=end) == 0


def test_apply_needs_item_maintenance_rights(setup):
    site, _user, start, end = setup
    operator = UserFactory(roles=["operator"], sites=[site])
    with pytest.raises(PermissionDenied):
        apply_abc_classes(site=site, user=operator, start=start, end=end)


def test_a_period_without_usage_proposes_no_change(setup):
    site, user, start, _end = setup
    quiet_start, quiet_end = start - timedelta(days=400), start - timedelta(days=300)

    frame = abc_from_usage(user=user, site=site, start=quiet_start, end=quiet_end).set_index("item")

    assert frame.loc["ABC-6", "proposed_class"] == "A"
    assert (frame["proposed_class"] == frame["current_class"]).all()
    assert apply_abc_classes(site=site, user=user, start=quiet_start, end=quiet_end) == 0
    assert site_class(site, "ABC-6") == "A"


def test_the_api_lists_each_sites_class(setup, api_as):
    site, user, start, end = setup
    other = BinFactory()
    stock_in(bin=other, item=Item.objects.get(code="ABC-3"), quantity=5)
    StockPolicy.objects.create(site=other.warehouse.site, item=Item.objects.get(code="ABC-3"))
    apply_abc_classes(site=site, user=user, start=start, end=end)
    admin = UserFactory(roles=["admin"], sites=[site, other.warehouse.site])
    rows = api_as(admin).get("/api/v1/wms/stock-policies/", {"item": "ABC-3"}).json()["results"]
    assert {(row["site"], row["abc_class"]) for row in rows} == {(site.code, "B"), (other.warehouse.site.code, "C")}
