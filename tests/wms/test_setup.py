"""Warehouse setup: bulk bin generation, reorder rules and the desk pages that call them."""

from decimal import Decimal

import pytest

from core.errors import NotFound, ValidationFailed
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, StockPolicyFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import Bin, InventoryAlert, StockPolicy, Warehouse, Zone
from wms.services import locations, planning

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(code="ST")


@pytest.fixture
def zone(site):
    return ZoneFactory(warehouse=WarehouseFactory(site=site, code="WS"), kind="raw", code="RAW")


@pytest.fixture
def keeper(site):
    return UserFactory(roles=["warehouse"], sites=[site])


# --- ranges and the plan -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A-C", ["A", "B", "C"]),
        ("01-03", ["01", "02", "03"]),
        ("1-3", ["1", "2", "3"]),
        ("8-10", ["8", "9", "10"]),
        ("A,c, F", ["A", "C", "F"]),
        ("1-2,5", ["1", "2", "5"]),
        ("", []),
    ],
)
def test_ranges_expand_to_parts(text, expected):
    assert locations.expand_range(text, field="racks") == expected


@pytest.mark.parametrize("text", ["3-1", "A-", "A B", "C-A", "1-99999"])
def test_bad_ranges_are_refused_on_their_field(text):
    with pytest.raises(ValidationFailed) as error:
        locations.expand_range(text, field="racks")
    assert error.value.field == "racks"


def test_the_plan_lists_every_code_and_those_that_exist(keeper, zone):
    BinFactory(zone=zone, aisle="A", rack="02", level="1", position="", code="WS-A-02-1")
    plan = locations.plan_bins(
        user=keeper, warehouse=zone.warehouse, zone=zone, aisles="A-B", racks="01-02", levels="1"
    )
    assert [loc["code"] for loc in plan.locations] == ["WS-A-01-1", "WS-A-02-1", "WS-B-01-1", "WS-B-02-1"]
    assert plan.existing == ["WS-A-02-1"]
    assert len(plan.new) == 3
    assert Bin.objects.count() == 1  # the plan writes nothing


def test_a_level_without_racks_is_a_gap(keeper, zone):
    with pytest.raises(ValidationFailed) as error:
        locations.plan_bins(user=keeper, warehouse=zone.warehouse, zone=zone, aisles="A", levels="1-3")
    assert error.value.field == "levels"


def test_too_big_a_grid_is_refused(keeper, zone):
    with pytest.raises(ValidationFailed) as error:
        locations.plan_bins(user=keeper, warehouse=zone.warehouse, zone=zone, aisles="A-Z", racks="1-20", levels="1-20")
    assert error.value.code == "too_many"


def test_another_warehouses_zone_is_refused(keeper, zone, site):
    other = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WT"))
    with pytest.raises(ValidationFailed) as error:
        locations.generate_bins(user=keeper, warehouse=zone.warehouse, zone=other, aisles="A")
    assert error.value.field == "zone"


def test_another_sites_warehouse_is_unknown(zone):
    stranger = UserFactory(roles=["warehouse"], sites=[SiteFactory(code="SX")])
    with pytest.raises(NotFound):
        locations.generate_bins(user=stranger, warehouse=zone.warehouse, zone=zone, aisles="A")


# --- generation ----------------------------------------------------------------------------------


def test_generation_creates_the_new_bins_and_reports_the_existing(keeper, zone):
    BinFactory(zone=zone, aisle="A", rack="01", level="2", position="", code="WS-A-01-2", pick_sequence=500)
    result = locations.generate_bins(
        user=keeper,
        warehouse=zone.warehouse,
        zone=zone,
        aisles="A",
        racks="01-02",
        levels="1-2",
        max_lots=3,
        max_weight_kg=Decimal("250"),
    )
    assert sorted(b.code for b in result.created) == ["WS-A-01-1", "WS-A-02-1", "WS-A-02-2"]
    assert result.existing == ["WS-A-01-2"]
    new = Bin.objects.filter(code__in=["WS-A-01-1", "WS-A-02-1", "WS-A-02-2"]).order_by("pick_sequence")
    assert [b.pick_sequence for b in new] == [510, 520, 530]  # after the warehouse's last bin
    assert all(b.max_lots == 3 and b.max_weight_kg == Decimal("250") and b.zone == zone for b in new)
    assert new[0].history.first().history_user == keeper
    assert Bin.objects.filter(code="WS-A-01-2").count() == 1


def test_a_second_generation_of_the_same_grid_creates_nothing(keeper, zone):
    locations.generate_bins(user=keeper, warehouse=zone.warehouse, zone=zone, aisles="A-B", racks="1-2")
    again = locations.generate_bins(user=keeper, warehouse=zone.warehouse, zone=zone, aisles="A-B", racks="1-2")
    assert again.created == [] and len(again.existing) == 4
    assert Bin.objects.count() == 4


def test_a_bad_capacity_writes_nothing(keeper, zone):
    with pytest.raises(ValidationFailed):
        locations.generate_bins(user=keeper, warehouse=zone.warehouse, zone=zone, aisles="A-C", code="X")
    assert Bin.objects.count() == 0


# --- reorder rules -------------------------------------------------------------------------------


def test_a_reorder_rule_raises_the_alert_at_once(keeper, zone, site):
    item = ItemFactory(code="RR-1")
    stock_in(bin=BinFactory(zone=zone), item=item, quantity=Decimal("5"))
    planning.set_reorder_rule(user=keeper, site=site, item=item, reorder_point=Decimal("10"))
    assert InventoryAlert.objects.filter(item=item, kind="below_reorder", resolved_at__isnull=True).exists()

    policy = StockPolicy.objects.get(site=site, item=item)
    planning.update_reorder_rule(policy=policy, user=keeper, reorder_point=Decimal("2"), safety_stock=Decimal("1"))
    assert not InventoryAlert.objects.filter(item=item, resolved_at__isnull=True).exists()


def test_a_rule_keeps_the_sites_abc_class_and_removing_it_keeps_it_too(keeper, site):
    item = ItemFactory(code="RR-2")
    StockPolicyFactory(site=site, item=item, abc_class="A")
    policy = planning.set_reorder_rule(user=keeper, site=site, item=item, reorder_point=Decimal("4"))
    assert policy.abc_class == "A" and StockPolicy.objects.filter(item=item).count() == 1
    planning.remove_reorder_rule(policy=policy, user=keeper)
    policy.refresh_from_db()
    assert (policy.abc_class, policy.reorder_point) == ("A", Decimal("0"))


@pytest.mark.parametrize(("reorder", "safety", "field"), [("-1", "0", "reorder_point"), ("5", "8", "safety_stock")])
def test_bad_levels_are_refused(keeper, site, reorder, safety, field):
    with pytest.raises(ValidationFailed) as error:
        planning.set_reorder_rule(
            user=keeper, site=site, item=ItemFactory(), reorder_point=Decimal(reorder), safety_stock=Decimal(safety)
        )
    assert error.value.field == field
    assert not StockPolicy.objects.exists()


# --- pages ---------------------------------------------------------------------------------------


def test_setup_lists_and_forms_open_for_the_warehouse_role(web_as, keeper, zone):
    client = web_as(keeper)
    for url in [
        "/wms/setup/warehouses/",
        "/wms/setup/warehouses/new/",
        f"/wms/setup/warehouses/{zone.warehouse.pk}/edit/",
        "/wms/setup/zones/",
        "/wms/setup/zones/new/",
        f"/wms/setup/zones/{zone.pk}/",
        "/wms/setup/reorder-rules/",
        "/wms/setup/reorder-rules/new/",
        "/wms/bins/new/",
        "/wms/bins/generate/",
    ]:
        assert client.get(url).status_code == 200, url


def test_an_operator_cannot_open_the_setup_forms(web_as, site):
    client = web_as(UserFactory(roles=["operator"], sites=[site]))
    assert client.get("/wms/setup/warehouses/new/").status_code == 403
    assert client.get("/wms/bins/generate/").status_code == 403


def test_warehouse_and_zone_are_made_on_the_desk(web_as, keeper, site):
    client = web_as(keeper)
    response = client.post(
        "/wms/setup/warehouses/new/",
        {"site": site.pk, "code": "WN", "name": "North", "count_variance_pct": "5", "count_variance_value": "500"},
    )
    assert response.status_code == 302
    warehouse = Warehouse.objects.get(code="WN")
    response = client.post(
        "/wms/setup/zones/new/",
        {
            "warehouse": warehouse.pk,
            "code": "COLD",
            "name": "Cold room",
            "kind": "cold",
            "allowed_item_types": ["raw"],
            "temperature_class": "cold",
        },
    )
    assert response.status_code == 302
    assert Zone.objects.get(warehouse=warehouse, code="COLD").allowed_item_types == ["raw"]


def test_a_duplicate_warehouse_code_is_a_field_message(web_as, keeper, site, zone):
    response = web_as(keeper).post(
        "/wms/setup/warehouses/new/",
        {"site": site.pk, "code": "WS", "name": "Again", "count_variance_pct": "5", "count_variance_value": "500"},
    )
    assert response.status_code == 400 and "code" in response.context["form"].errors


def test_a_bins_edit_changes_its_code_while_it_has_no_stock(web_as, keeper, zone):
    bin_ = BinFactory(zone=zone, aisle="A", rack="01", level="1", position="", code="WS-A-01-1")
    response = web_as(keeper).post(
        f"/wms/bins/{bin_.pk}/edit/",
        {"zone": zone.pk, "aisle": "B", "rack": "01", "level": "1", "distance_rank": 5, "pick_sequence": 7},
    )
    assert response.status_code == 302
    bin_.refresh_from_db()
    assert (bin_.code, bin_.distance_rank) == ("WS-B-01-1", 5)


def test_bulk_generation_previews_then_creates(web_as, keeper, zone):
    client = web_as(keeper)
    BinFactory(zone=zone, aisle="A", rack="01", level="1", position="", code="WS-A-01-1")
    form = {"warehouse": zone.warehouse.pk, "zone": zone.pk, "aisles": "A-B", "racks": "01-03", "levels": "1-2"}
    preview = client.post("/wms/bins/generate/", {**form, "distance_rank": 100, "preview": "1"})
    assert preview.status_code == 200
    assert (preview.context["total"], preview.context["new_count"]) == (12, 11)
    assert preview.context["pattern"] == "WS-{aisle}-{rack}-{level}"
    assert Bin.objects.count() == 1

    created = client.post("/wms/bins/generate/", {**form, "distance_rank": 100, "create": "1"}, follow=True)
    assert Bin.objects.count() == 12
    texts = [str(m) for m in created.context["messages"]]
    assert "11 bins created." in texts and any("WS-A-01-1" in text for text in texts)


def test_bulk_generation_bad_range_is_a_field_message(web_as, keeper, zone):
    response = web_as(keeper).post(
        "/wms/bins/generate/",
        {"warehouse": zone.warehouse.pk, "zone": zone.pk, "aisles": "C-A", "distance_rank": 100, "create": "1"},
    )
    assert response.status_code == 400 and "aisles" in response.context["form"].errors
    assert Bin.objects.count() == 0


def test_a_reorder_rule_is_set_and_removed_on_the_desk(web_as, keeper, site):
    item = ItemFactory(code="RR-3")
    client = web_as(keeper)
    response = client.post("/wms/setup/reorder-rules/new/", {"site": site.pk, "item": item.pk, "reorder_point": "12"})
    assert response.status_code == 302
    policy = StockPolicy.objects.get(site=site, item=item)
    assert policy.reorder_point == Decimal("12")
    listing = client.get("/wms/setup/reorder-rules/")
    assert b"RR-3" in listing.content
    bad = client.post(f"/wms/setup/reorder-rules/{policy.pk}/edit/", {"reorder_point": "abc", "safety_stock": "1"})
    assert bad.status_code == 400 and "reorder_point" in bad.context["form"].errors
    assert client.post(f"/wms/setup/reorder-rules/{policy.pk}/delete/").status_code == 302
    assert not StockPolicy.objects.filter(pk=policy.pk).exists()
