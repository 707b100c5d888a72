from datetime import timedelta
from decimal import Decimal

import pytest

from core.models import Item
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import BinFactory, StockPolicyFactory, stock_in
from wms.models import CountStatus, CountTask, StockPolicy, StockQuant
from wms.services import alerts
from wms.services.counting import site_today
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def bin_():
    return BinFactory()


@pytest.fixture
def site(bin_):
    return bin_.warehouse.site


@pytest.fixture
def counter(site):
    return UserFactory(roles=["warehouse"], sites=[site])


@pytest.fixture
def supervisor(site):
    return UserFactory(roles=["supervisor"], sites=[site])


def generate(api_as, user, site):
    response = api_as(user).post("/api/v1/wms/count-tasks/generate/", {"site": site.code}, format="json")
    assert response.status_code in (200, 201), response.content
    return response.json()


def test_generate_list_and_count_blind(api_as, bin_, site, counter):
    item = ItemFactory(standard_cost=Decimal("1"))
    stock_in(bin=bin_, item=item, quantity=100)

    body = generate(api_as, counter, site)
    assert body["created"] == 1
    assert generate(api_as, counter, site)["created"] == 0  # idempotent

    listing = api_as(counter).get(f"/api/v1/wms/count-tasks/?site={site.code}&status=open&item={item.code}").json()
    assert listing["count"] == 1
    task = listing["results"][0]
    assert task["bin"] == bin_.code and task["system_quantity"] is None and task["variance"] is None

    response = api_as(counter).post(
        f"/api/v1/wms/count-tasks/{task['id']}/count/", {"counted_quantity": "98"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "posted" and response.json()["variance"] == "-2.000000"
    assert StockQuant.objects.get(item=item, bin=bin_).quantity == Decimal("98")

    again = api_as(counter).post(f"/api/v1/wms/count-tasks/{task['id']}/count/", {"counted_quantity": "98"})
    assert again.status_code == 409


def pending_task(api_as, bin_, site, counter):
    item = ItemFactory(standard_cost=Decimal("1"))
    stock_in(bin=bin_, item=item, quantity=100)
    task_id = generate(api_as, counter, site)["results"][0]["id"]
    response = api_as(counter).post(
        f"/api/v1/wms/count-tasks/{task_id}/count/", {"counted_quantity": "70", "reason": "broken cases"}
    )
    assert response.json()["status"] == "pending_approval"
    return CountTask.objects.get(pk=task_id)


def test_large_variance_without_reason_is_a_field_error(api_as, bin_, site, counter):
    stock_in(bin=bin_, item=ItemFactory(standard_cost=Decimal("1")), quantity=100)
    task_id = generate(api_as, counter, site)["results"][0]["id"]
    response = api_as(counter).post(f"/api/v1/wms/count-tasks/{task_id}/count/", {"counted_quantity": "50"})
    assert response.status_code == 400 and "reason" in response.json()


@pytest.mark.parametrize("value", ["-1", "lots", ""])
def test_bad_counted_quantity_is_400(api_as, bin_, site, counter, value):
    stock_in(bin=bin_, item=ItemFactory(), quantity=10)
    task_id = generate(api_as, counter, site)["results"][0]["id"]
    response = api_as(counter).post(f"/api/v1/wms/count-tasks/{task_id}/count/", {"counted_quantity": value})
    assert response.status_code == 400 and "counted_quantity" in response.json()


def test_operator_cannot_approve(api_as, bin_, site, counter):
    task = pending_task(api_as, bin_, site, counter)
    operator = UserFactory(roles=["operator"], sites=[site])
    response = api_as(operator).post(f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": PASSWORD})
    assert response.status_code == 403


def test_warehouse_clerk_cannot_approve(api_as, bin_, site, counter):
    task = pending_task(api_as, bin_, site, counter)
    clerk = UserFactory(roles=["warehouse"], sites=[site])
    response = api_as(clerk).post(f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": PASSWORD})
    assert response.status_code == 403


def test_wrong_password_is_refused(api_as, bin_, site, counter, supervisor):
    task = pending_task(api_as, bin_, site, counter)
    response = api_as(supervisor).post(f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": "nope"})
    assert response.status_code == 403 and response.json()["code"] == "signature_invalid"
    task.refresh_from_db()
    assert task.status == CountStatus.PENDING_APPROVAL


def test_supervisor_approves(api_as, bin_, site, counter, supervisor):
    task = pending_task(api_as, bin_, site, counter)
    response = api_as(supervisor).post(
        f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": PASSWORD, "reason": "verified"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "posted" and response.json()["approved_by"] == supervisor.username
    assert StockQuant.objects.get(item=task.item, bin=bin_).quantity == Decimal("70")


def test_supervisor_rejects_and_gets_a_recount(api_as, bin_, site, counter, supervisor):
    task = pending_task(api_as, bin_, site, counter)
    response = api_as(supervisor).post(
        f"/api/v1/wms/count-tasks/{task.pk}/reject/", {"password": PASSWORD, "reason": "count again"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "rejected"
    assert body["recount"]["status"] == "open" and body["recount"]["recount_of"] == task.pk
    assert body["recount"]["system_quantity"] is None


def test_another_sites_task_is_404(api_as, bin_, site, counter):
    stock_in(bin=bin_, item=ItemFactory(), quantity=10)
    task_id = generate(api_as, counter, site)["results"][0]["id"]
    stranger = UserFactory(roles=["warehouse"], sites=[BinFactory().warehouse.site])
    assert api_as(stranger).get(f"/api/v1/wms/count-tasks/{task_id}/").status_code == 404
    response = api_as(stranger).post(f"/api/v1/wms/count-tasks/{task_id}/count/", {"counted_quantity": "1"})
    assert response.status_code == 404
    response = api_as(stranger).post("/api/v1/wms/count-tasks/generate/", {"site": site.code})
    assert response.status_code == 400 and "site" in response.json()


def test_alerts_list_and_filter(api_as, bin_, site, counter):
    item = ItemFactory()
    StockPolicyFactory(site=site, item=item, reorder_point=Decimal("10"))
    stock_in(bin=bin_, item=item, quantity=20)
    post_move(kind="issue", item=item, quantity=Decimal("15"), from_bin=bin_, user=counter)
    alerts.evaluate_alerts(site=site)

    body = api_as(counter).get(f"/api/v1/wms/alerts/?site={site.code}&open=true&kind=below_reorder").json()
    assert body["count"] == 1
    assert body["results"][0]["item"] == item.code and body["results"][0]["open"] is True
    assert api_as(counter).get("/api/v1/wms/alerts/?kind=nonsense").status_code == 400


def test_kpi_inventory_value(api_as, bin_, site, counter):
    stock_in(bin=bin_, item=ItemFactory(standard_cost=Decimal("2.5")), quantity=4)
    body = api_as(counter).get(f"/api/v1/wms/kpis/inventory-value/?site={site.code}&group_by=zone").json()
    assert body["results"][0]["value"] == "10.00" and body["results"][0]["zone"] == bin_.zone.code
    assert api_as(counter).get("/api/v1/wms/kpis/inventory-value/?group_by=aisle").status_code == 400


def test_kpi_turnover_and_bad_dates(api_as, bin_, site, counter):
    item = ItemFactory(standard_cost=Decimal("1"))
    stock_in(bin=bin_, item=item, quantity=10)
    post_move(kind="issue", item=item, quantity=Decimal("4"), from_bin=bin_, user=counter)
    today = site_today(site).isoformat()

    body = api_as(counter).get(f"/api/v1/wms/kpis/turnover/?site={site.code}&start={today}&end={today}").json()
    row = body["results"][0]
    assert row["item"] == item.code and row["issued_quantity"] == "4.000000" and row["cogs"] == "4.00"
    assert row["end_quantity"] == "6.000000"

    bad = api_as(counter).get(f"/api/v1/wms/kpis/turnover/?site={site.code}&start=yesterday")
    assert bad.status_code == 400 and "start" in bad.json()
    reversed_ = api_as(counter).get(f"/api/v1/wms/kpis/turnover/?site={site.code}&start=2025-02-01&end=2025-01-01")
    assert reversed_.status_code == 400 and "end" in reversed_.json()
    assert api_as(counter).get("/api/v1/wms/kpis/turnover/").status_code == 400


def test_kpi_bin_utilisation_and_abc(api_as, site, counter):
    rated = BinFactory(max_volume_l=Decimal("100"))
    site = rated.warehouse.site
    user = UserFactory(roles=["warehouse"], sites=[site])
    stock_in(bin=rated, item=ItemFactory(unit_volume_l=Decimal("10")), quantity=3)
    body = api_as(user).get(f"/api/v1/wms/kpis/bin-utilisation/?site={site.code}").json()
    assert body["results"][0]["volume_pct"] == 30.0 and body["results"][0]["volume_used_l"] == "30.000"

    abc_body = api_as(user).get(f"/api/v1/wms/kpis/abc/?site={site.code}&a_share=0.7").json()
    assert abc_body["results"][0]["proposed_class"] == "C"  # stocked, never used
    assert api_as(user).get(f"/api/v1/wms/kpis/abc/?site={site.code}&a_share=2").status_code == 400


def test_abc_apply_needs_item_rights_and_changes_classes(api_as, bin_, site, counter):
    item = ItemFactory(standard_cost=Decimal("1"), abc_class="C")
    stock_in(bin=bin_, item=item, quantity=10)
    post_move(kind="issue", item=item, quantity=Decimal("5"), from_bin=bin_, user=counter)
    end = site_today(site)
    body = {"site": site.code, "start": (end - timedelta(days=7)).isoformat(), "end": end.isoformat()}

    assert api_as(counter).post("/api/v1/wms/kpis/abc/apply/", body).status_code == 403

    planner = UserFactory(roles=["planner"], sites=[site])
    response = api_as(planner).post("/api/v1/wms/kpis/abc/apply/", body)
    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 1
    assert StockPolicy.objects.get(site=site, item=item).abc_class == "A"
    assert Item.objects.get(pk=item.pk).abc_class == "C"
