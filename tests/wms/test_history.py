"""Stock on a past date (from the ledger) and stock ageing by lot: selectors, API and pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, backdate_move, stock_in
from wms.models import StockMove, StockQuant
from wms.selectors import history
from wms.services.ledger import post_move

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger():
    """Ten days ago 100 kg of lot L1 arrived in A; five days ago 30 kg went to B; two days ago
    20 kg were issued from A; today a second lot L2 of 7 kg arrived in B."""
    sync_roles()
    site = SiteFactory(code="HS")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WHS"), kind="raw", code="RAWH")
    a, b = BinFactory(zone=zone, code="WHS-A"), BinFactory(zone=zone, code="WHS-B")
    item = ItemFactory(code="RES-H", tracking="lot", standard_cost=Decimal("2"))
    user = UserFactory(roles=["warehouse"], sites=[site])
    now = timezone.now()
    l1 = LotFactory(item=item, site=site, code="L1")
    l2 = LotFactory(item=item, site=site, code="L2")
    backdate_move(stock_in(bin=a, item=item, lot=l1, quantity="100", user=user), now - timedelta(days=10))
    move = post_move(kind="transfer", item=item, lot=l1, from_bin=a, to_bin=b, quantity=Decimal("30"), user=user)
    backdate_move(move, now - timedelta(days=5))
    move = post_move(kind="issue", item=item, lot=l1, from_bin=a, quantity=Decimal("20"), user=user, reference="WO-1")
    backdate_move(move, now - timedelta(days=2))
    stock_in(bin=b, item=item, lot=l2, quantity="7", user=user)
    type(l1).objects.filter(pk=l1.pk).update(received_at=now - timedelta(days=100))
    type(l2).objects.filter(pk=l2.pk).update(received_at=None)
    return {"site": site, "a": a, "b": b, "item": item, "user": user, "now": now, "l1": l1, "l2": l2}


def _by_place(rows):
    return {(r["bin_code"], r["lot_code"]): r["quantity"] for r in rows}


def test_stock_on_past_dates_adds_up_the_ledger(ledger):
    user, now = ledger["user"], ledger["now"]
    assert history.stock_as_of(user=user, at=now - timedelta(days=11)) == []
    assert _by_place(history.stock_as_of(user=user, at=now - timedelta(days=7))) == {("WHS-A", "L1"): 100}
    assert _by_place(history.stock_as_of(user=user, at=now - timedelta(days=3))) == {
        ("WHS-A", "L1"): 70,
        ("WHS-B", "L1"): 30,
    }
    today = history.stock_as_of(user=user, at=timezone.now())
    assert _by_place(today) == {("WHS-A", "L1"): 50, ("WHS-B", "L1"): 30, ("WHS-B", "L2"): 7}
    # Now, the ledger and the on-hand rows agree.
    assert _by_place(today) == {(q.bin.code, q.lot.code): q.quantity for q in StockQuant.objects.filter(quantity__gt=0)}
    assert today[0]["value"] == Decimal("100")  # 50 kg at 2


def test_stock_on_a_date_filters_by_bin_lot_and_site(ledger):
    user, at = ledger["user"], ledger["now"] - timedelta(days=3)
    assert _by_place(history.stock_as_of(user=user, at=at, bin=ledger["b"])) == {("WHS-B", "L1"): 30}
    assert _by_place(history.stock_as_of(user=user, at=timezone.now(), lot_code="L2")) == {("WHS-B", "L2"): 7}
    stranger = UserFactory(roles=["warehouse"], sites=[SiteFactory(code="HX")])
    assert history.stock_as_of(user=stranger, at=timezone.now()) == []


def test_stock_on_a_date_reads_two_grouped_queries(ledger, django_assert_max_num_queries):
    for _n in range(20):
        stock_in(bin=ledger["a"], item=ledger["item"], lot=ledger["l1"], quantity="1", user=ledger["user"])
    with django_assert_max_num_queries(7):
        rows = history.stock_as_of(user=ledger["user"], at=timezone.now())
    assert _by_place(rows)[("WHS-A", "L1")] == 70


def test_the_api_answers_stock_as_of_a_moment(ledger):
    api = APIClient()
    api.force_authenticate(ledger["user"])
    at = (ledger["now"] - timedelta(days=3)).isoformat()
    body = api.get("/api/v1/wms/stock/", {"as_of": at, "item": "RES-H"}).json()
    assert body["count"] == 2
    assert {(r["bin"], r["lot"], r["quantity"]) for r in body["results"]} == {
        ("WHS-A", "L1", "70.000000"),
        ("WHS-B", "L1", "30.000000"),
    }
    assert body["results"][0]["unit"] and body["results"][0]["id"] is None
    day = (ledger["now"] - timedelta(days=7)).date().isoformat()
    assert api.get("/api/v1/wms/stock/", {"as_of": day}).json()["count"] >= 1
    for bad in ["yesterday", "2026-02-30", "2999-01-01T00:00:00Z", "x" * 100]:
        response = api.get("/api/v1/wms/stock/", {"as_of": bad})
        assert response.status_code == 400 and "as_of" in response.json(), bad
    assert api.get("/api/v1/wms/stock/", {"as_of": at, "bin": "NOPE"}).status_code == 400
    assert api.get("/api/v1/wms/stock/", {"as_of": at, "zone_kind": "moon"}).status_code == 400
    # Without as_of the list is today's rows, as before.
    assert api.get("/api/v1/wms/stock/").json()["results"][0]["id"] is not None


def test_ageing_buckets_lots_by_receipt(ledger):
    result = history.stock_ageing(user=ledger["user"], site=ledger["site"])
    rows = {r["lot__code"]: r for r in result["rows"]}
    assert rows["L1"]["age_days"] == 100 and rows["L1"]["bucket"] == "91-180" and rows["L1"]["quantity"] == 80
    # No receipt time on the lot: its first move into stock (today).
    assert rows["L2"]["age_days"] == 0 and rows["L2"]["bucket"] == "0-30"
    buckets = {b["key"]: b for b in result["buckets"]}
    assert buckets["91-180"]["lots"] == 1 and buckets["91-180"]["value"] == Decimal("160")
    assert buckets["0-30"]["value"] == Decimal("14") and buckets["181+"]["lots"] == 0


@pytest.mark.parametrize(
    ("days", "key"), [(0, "0-30"), (30, "0-30"), (31, "31-60"), (90, "61-90"), (180, "91-180"), (181, "181+")]
)
def test_age_bucket_edges(days, key):
    assert history.bucket_of(days).key == key


def test_the_desk_pages_show_history_and_ageing_and_export(client, ledger):
    client.force_login(ledger["user"])
    session = client.session
    session["current_site"] = ledger["site"].code
    session.save()
    moment = timezone.localtime(ledger["now"] - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page = client.get(reverse("wms:stock-as-of"), {"as_of": moment})
    assert page.status_code == 200
    assert [(r["bin_code"], r["quantity"]) for r in page.context["page_obj"]] == [("WHS-A", 70), ("WHS-B", 30)]
    sorted_page = client.get(reverse("wms:stock-as-of"), {"as_of": moment, "sort": "-quantity"})
    assert [r["quantity"] for r in sorted_page.context["page_obj"]] == [70, 30]
    export = client.get(reverse("wms:stock-as-of"), {"as_of": moment, "export": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "WHS-A" in text and "70" in text
    assert client.get(reverse("wms:stock-as-of"), {"as_of": "2999-01-01T00:00"}).status_code == 400
    ageing = client.get(reverse("wms:stock-ageing"))
    assert ageing.status_code == 200 and "91–180 days" in ageing.content.decode()
    xlsx = client.get(reverse("wms:stock-ageing"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_every_desk_list_sorts_counts_and_exports(client, ledger):
    client.force_login(UserFactory(roles=["supervisor"], sites=[ledger["site"]]))
    session = client.session
    session["current_site"] = ledger["site"].code
    session.save()
    for name in [
        "stock",
        "lot-list",
        "move-list",
        "bin-list",
        "receipt-list",
        "picklist-list",
        "count-list",
        "alert-list",
    ]:
        url = reverse(f"wms:{name}")
        page = client.get(url)
        html = page.content.decode()
        assert page.status_code == 200 and 'class="result-count"' in html, name
        assert 'aria-sort="none"' in html, name
        for fmt in ("csv", "xlsx"):
            assert client.get(url, {"export": fmt}).status_code == 200, (name, fmt)
    moves = client.get(reverse("wms:move-list"), {"sort": "quantity"}).context["page_obj"]
    assert [m.quantity for m in moves] == sorted(StockMove.objects.values_list("quantity", flat=True))
