from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import BinFactory, ZoneFactory, backdate_move, stock_in
from wms.selectors import kpis
from wms.services.counting import site_today
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def bin_():
    return BinFactory()


@pytest.fixture
def site(bin_):
    return bin_.warehouse.site


@pytest.fixture
def user(site):
    return UserFactory(roles=["warehouse"], sites=[site])


def at(site, day, hour=12):
    return datetime.combine(day, time(hour), tzinfo=site.tzinfo)


def test_inventory_value_is_quantity_times_standard_cost(bin_, site, user):
    other_zone_bin = BinFactory(zone=ZoneFactory(warehouse=bin_.warehouse, kind="finished"))
    stock_in(bin=bin_, item=ItemFactory(standard_cost=Decimal("2.5")), quantity=10)  # 25
    stock_in(bin=bin_, item=ItemFactory(standard_cost=Decimal("4")), quantity=3)  # 12
    stock_in(bin=other_zone_bin, item=ItemFactory(standard_cost=Decimal("0.1")), quantity=7)  # 0.70
    stock_in(bin=BinFactory(), item=ItemFactory(standard_cost=Decimal("1000")), quantity=1)  # another site

    by_warehouse = kpis.inventory_value(user=user, site=site)
    assert list(by_warehouse["warehouse"]) == [bin_.warehouse.code]
    assert by_warehouse.loc[0, "value"] == Decimal("37.70")

    by_zone = kpis.inventory_value(user=user, site=site, group_by="zone").set_index("zone")
    assert by_zone.loc[bin_.zone.code, "value"] == Decimal("37.00")
    assert by_zone.loc[other_zone_bin.zone.code, "value"] == Decimal("0.70")

    # no site given: only the user's sites count
    assert kpis.inventory_value(user=user, group_by="site")["value"].tolist() == [Decimal("37.70")]


def test_inventory_value_rejects_unknown_grouping(user):
    with pytest.raises(ValidationFailed) as error:
        kpis.inventory_value(user=user, group_by="aisle")
    assert error.value.field == "group_by"


def test_turnover_on_known_moves(bin_, site, user):
    item = ItemFactory(standard_cost=Decimal("2"))
    end = site_today(site)
    start = end - timedelta(days=9)  # 10 days
    backdate_move(stock_in(bin=bin_, item=item, quantity=100), at(site, start))
    issue = post_move(kind="issue", item=item, quantity=Decimal("50"), from_bin=bin_, user=user)
    backdate_move(issue, at(site, start + timedelta(days=5)))
    # a transfer inside the site changes nothing
    post_move(
        kind="transfer", item=item, quantity=Decimal("10"), from_bin=bin_, to_bin=BinFactory(zone=bin_.zone), user=user
    )

    row = kpis.turnover(user=user, site=site, start=start, end=end).set_index("item").loc[item.code]

    # stock: 100 on days 0-4, 50 on days 5-9 -> average 75, worth 150; COGS 50 x 2 = 100
    assert row["issued_quantity"] == Decimal("50")
    assert row["cogs"] == Decimal("100.00")
    assert row["average_quantity"] == pytest.approx(75)
    assert row["average_inventory_value"] == pytest.approx(150)
    assert row["end_quantity"] == pytest.approx(50)
    assert row["turnover"] == pytest.approx(0.6667, abs=1e-4)
    assert row["days_of_supply"] == pytest.approx(10.0)  # 50 on hand / (50 used / 10 days)


def test_days_of_supply_is_the_stock_on_hand_over_the_daily_usage(bin_, site, user):
    # Stock that arrived today lasts as long as it lasts at the period's rate of use, however
    # little of the period it was there for (140 on hand, 40 used in 90 days: 315 days, not 3.5).
    item = ItemFactory(standard_cost=Decimal("3"))
    end = site_today(site)
    stock_in(bin=bin_, item=item, quantity=180)
    post_move(kind="issue", item=item, quantity=Decimal("40"), from_bin=bin_, user=user)

    row = kpis.turnover(user=user, site=site, start=end - timedelta(days=89), end=end).set_index("item").loc[item.code]

    assert row["end_quantity"] == pytest.approx(140)
    assert row["days_of_supply"] == pytest.approx(315.0)


def test_turnover_of_a_past_period_ignores_later_moves(bin_, site, user):
    item = ItemFactory(standard_cost=Decimal("1"))
    today = site_today(site)
    start, end = today - timedelta(days=20), today - timedelta(days=11)
    backdate_move(stock_in(bin=bin_, item=item, quantity=40), at(site, start - timedelta(days=1)))
    post_move(kind="issue", item=item, quantity=Decimal("30"), from_bin=bin_, user=user)  # today, after the period

    row = kpis.turnover(user=user, site=site, start=start, end=end).set_index("item").loc[item.code]

    assert row["average_quantity"] == pytest.approx(40)
    assert row["issued_quantity"] == Decimal("0")
    assert row["turnover"] is None or row["turnover"] == 0
    assert row["days_of_supply"] is None


def test_turnover_rejects_reversed_period(site, user):
    today = site_today(site)
    with pytest.raises(ValidationFailed) as error:
        kpis.turnover(user=user, site=site, start=today, end=today - timedelta(days=1))
    assert error.value.field == "end"


def test_bin_utilisation(site, user):
    rated = BinFactory(max_volume_l=Decimal("200"), max_weight_kg=Decimal("1000"), max_lots=4)
    site = rated.warehouse.site
    user = UserFactory(roles=["warehouse"], sites=[site])
    item = ItemFactory(unit_volume_l=Decimal("5"), unit_weight_kg=Decimal("2"))
    stock_in(bin=rated, item=item, quantity=10)  # 50 l, 20 kg, 1 lot

    row = kpis.bin_utilisation(user=user, site=site).set_index("bin").loc[rated.code]

    assert row["volume_used_l"] == pytest.approx(50)
    assert row["volume_pct"] == pytest.approx(25.0)
    assert row["weight_pct"] == pytest.approx(2.0)
    assert row["lots_used"] == 1 and row["lots_pct"] == pytest.approx(25.0)
    assert row["utilisation_pct"] == pytest.approx(25.0)

    zone = kpis.bin_utilisation(user=user, site=site, group_by="zone").iloc[0]
    assert zone["volume_pct"] == pytest.approx(25.0) and zone["bins"] == 1


def test_kpi_figures_are_plotly_json(bin_, site, user):
    stock_in(bin=bin_, item=ItemFactory(), quantity=5)
    today = site_today(site)
    figures = kpis.kpi_figures(user=user, site=site, start=today - timedelta(days=30), end=today)
    assert set(figures) == {"inventory_value", "turnover", "bin_utilisation", "abc"}
    assert figures["inventory_value"]["data"][0]["type"] == "bar"
