"""The warehouse desk pages through Django's test client."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import Lot, LotStatus, StockMove, StockQuant

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    """One site with a raw-material bin and a receiving bin, a lot-tracked item in stock, and a
    second site the user does not work at."""
    site = SiteFactory(code="P1")
    warehouse = WarehouseFactory(site=site, code="WH1")
    raw = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="raw"))
    dock = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="receiving"))
    item = ItemFactory(code="CMP-100", tracking="lot", standard_cost=Decimal("4"))
    lot = LotFactory(item=item, code="L-1", site=site)
    user = UserFactory(username="ware", roles=["warehouse"], sites=[site])
    stock_in(bin=raw, item=item, quantity=10, lot=lot, user=user)
    other_site = SiteFactory(code="P2")
    other_bin = BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=other_site, code="WH2"), kind="raw"))
    other_lot = LotFactory(item=item, code="L-OTHER", site=other_site)
    return {
        "site": site,
        "raw": raw,
        "dock": dock,
        "item": item,
        "lot": lot,
        "user": user,
        "other_bin": other_bin,
        "other_lot": other_lot,
    }


def on_hand(item, bin_, lot=None):
    quant = StockQuant.objects.filter(item=item, bin=bin_, lot=lot).first()
    return quant.quantity if quant else Decimal(0)


LIST_PAGES = ["wms:stock", "wms:lot-list", "wms:move-list", "wms:move-create", "wms:bin-list"]


@pytest.mark.parametrize("name", LIST_PAGES)
def test_each_page_renders_for_a_warehouse_user(web_as, plant, name):
    response = web_as(plant["user"]).get(reverse(name))
    assert response.status_code == 200
    assert b"P1" in response.content


@pytest.mark.parametrize("group", ["item", "bin", "lot"])
def test_stock_page_shows_the_item_in_every_grouping(web_as, plant, group):
    response = web_as(plant["user"]).get(reverse("wms:stock"), {"group": group})
    assert response.status_code == 200
    assert b"CMP-100" in response.content
    if group != "item":
        assert plant["raw"].code.encode() in response.content


def test_stock_filter_by_bin_hides_other_bins(web_as, plant):
    client = web_as(plant["user"])
    dock = client.get(reverse("wms:stock"), {"group": "bin", "bin": plant["dock"].code})
    assert dock.status_code == 200 and b"CMP-100" not in dock.content
    raw = client.get(reverse("wms:stock"), {"group": "bin", "bin": plant["raw"].code})
    assert raw.status_code == 200 and b"CMP-100" in raw.content


def test_detail_pages_render(web_as, plant):
    client = web_as(plant["user"])
    for url in (
        reverse("wms:lot-detail", args=[plant["lot"].pk]),
        reverse("wms:bin-detail", args=[plant["raw"].pk]),
        reverse("wms:item-stock", args=["CMP-100"]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"L-1" in response.content, url


def test_another_sites_lot_and_bin_answer_404(web_as, plant):
    client = web_as(plant["user"])
    assert client.get(reverse("wms:lot-detail", args=[plant["other_lot"].pk])).status_code == 404
    assert client.get(reverse("wms:bin-detail", args=[plant["other_bin"].pk])).status_code == 404


def test_user_without_warehouse_rights_gets_403_and_anonymous_goes_to_login(client, web_as, plant):
    response = client.get(reverse("wms:stock"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    nobody = UserFactory(sites=[plant["site"]])
    assert web_as(nobody).get(reverse("wms:stock")).status_code == 403


def test_move_form_posts_a_transfer_and_says_so(web_as, plant):
    client = web_as(plant["user"])
    response = client.post(
        reverse("wms:move-create"),
        {
            "kind": "transfer",
            "item": "CMP-100",
            "lot": "L-1",
            "from_bin": plant["raw"].code,
            "to_bin": plant["dock"].code,
            "quantity": "4",
            "reference": "DESK-1",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Posted" in response.content.decode()
    assert on_hand(plant["item"], plant["raw"], plant["lot"]) == Decimal("6")
    assert on_hand(plant["item"], plant["dock"], plant["lot"]) == Decimal("4")
    assert StockMove.objects.filter(reference="DESK-1", kind="transfer").count() == 1


def test_move_form_with_too_much_shows_the_refusal_and_writes_nothing(web_as, plant):
    client = web_as(plant["user"])
    before = StockMove.objects.count()
    response = client.post(
        reverse("wms:move-create"),
        {"kind": "issue", "item": "CMP-100", "lot": "L-1", "from_bin": plant["raw"].code, "quantity": "11"},
    )
    assert response.status_code == 200
    assert "holds 10" in response.content.decode()
    assert StockMove.objects.count() == before
    assert on_hand(plant["item"], plant["raw"], plant["lot"]) == Decimal("10")


def test_move_form_bad_input_shows_field_errors_and_writes_nothing(web_as, plant):
    client = web_as(plant["user"])
    before = StockMove.objects.count()
    response = client.post(
        reverse("wms:move-create"),
        {"kind": "transfer", "item": "NOPE", "from_bin": plant["other_bin"].code, "to_bin": "", "quantity": "-1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "item" in errors and "from_bin" in errors and "quantity" in errors
    assert "No item with code NOPE" in response.content.decode()
    assert StockMove.objects.count() == before


def test_move_form_missing_bin_shows_the_ledgers_field_error(web_as, plant):
    response = web_as(plant["user"]).post(
        reverse("wms:move-create"),
        {"kind": "transfer", "item": "CMP-100", "lot": "L-1", "from_bin": plant["raw"].code, "quantity": "1"},
    )
    assert "to_bin" in response.context["form"].errors


def test_moves_list_filters_by_kind_and_reference(web_as, plant):
    client = web_as(plant["user"])
    response = client.get(reverse("wms:move-list"), {"kind": "receipt", "reference": "test stock"})
    assert response.context["page_obj"].paginator.count == 1
    response = client.get(reverse("wms:move-list"), {"kind": "issue"})
    assert response.context["page_obj"].paginator.count == 0


def test_quality_engineer_holds_a_lot_with_a_reason(web_as, plant):
    quality = UserFactory(roles=["quality"], sites=[plant["site"]])
    page = web_as(quality).get(reverse("wms:lot-detail", args=[plant["lot"].pk])).content.decode()
    assert 'name="status" value="on_hold"' in page and 'value="rejected"' in page
    assert 'value="available"' not in page  # already available: no release button
    response = web_as(quality).post(
        reverse("wms:lot-detail", args=[plant["lot"].pk]),
        {"status": "on_hold", "reason": "customer complaint"},
        follow=True,
    )
    assert response.status_code == 200
    lot = Lot.objects.get(pk=plant["lot"].pk)
    assert lot.status == LotStatus.ON_HOLD and lot.status_reason == "customer complaint"
    assert "customer complaint" in response.content.decode()


def test_lot_status_change_needs_the_right(web_as, plant):
    operator = UserFactory(roles=["operator"], sites=[plant["site"]])
    client = web_as(operator)
    page = client.get(reverse("wms:lot-detail", args=[plant["lot"].pk]))
    assert page.status_code == 200 and b"Change status" not in page.content
    response = client.post(reverse("wms:lot-detail", args=[plant["lot"].pk]), {"status": "on_hold", "reason": "x"})
    assert response.status_code == 403
    assert Lot.objects.get(pk=plant["lot"].pk).status == LotStatus.AVAILABLE


def test_block_and_unblock_a_bin(web_as, plant):
    client = web_as(plant["user"])
    url = reverse("wms:bin-detail", args=[plant["dock"].pk])
    client.post(url, {"block": "1", "reason": "rack damaged"})
    plant["dock"].refresh_from_db()
    assert plant["dock"].blocked and plant["dock"].blocked_reason == "rack damaged"
    response = client.get(reverse("wms:bin-list"), {"blocked": "true"})
    assert plant["dock"].code in response.content.decode()
    client.post(url, {"unblock": "1"})
    plant["dock"].refresh_from_db()
    assert not plant["dock"].blocked


def test_blocking_without_reason_shows_the_field_error(web_as, plant):
    response = web_as(plant["user"]).post(reverse("wms:bin-detail", args=[plant["dock"].pk]), {"block": "1"})
    assert response.status_code == 200
    assert "reason" in response.context["block_form"].errors
    plant["dock"].refresh_from_db()
    assert not plant["dock"].blocked


# --- pages that use the receiving, picking, counting and alert services ---------------------------

MORE_PAGES = ["wms:dashboard", "wms:receipt-list", "wms:receipt-create", "wms:picklist-list", "wms:picklist-create"]
MORE_PAGES += ["wms:count-list", "wms:alert-list", "wms:dashboard-alerts", "wms:dashboard-moves"]


@pytest.mark.parametrize("name", MORE_PAGES)
def test_each_operational_page_renders_for_a_warehouse_user(web_as, plant, name):
    response = web_as(plant["user"]).get(reverse(name))
    assert response.status_code == 200


def test_dashboard_panels_refresh_live_for_the_current_site(web_as, plant):
    page = web_as(plant["user"]).get(reverse("wms:dashboard")).content.decode()
    assert 'data-live="wms" data-site="P1"' in page
    assert reverse("wms:dashboard-moves") in page and 'hx-trigger="live, every 60s"' in page
    assert "test stock" in page  # the receipt that put the lot in stock is a recent move


def receipt_post(number="GR-T-1", **overrides):
    data = {
        "number": number,
        "reference": "PO-77",
        "expected_date": "2026-12-01",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-item": "CMP-100",
        "lines-0-quantity": "40",
        "lines-1-item": "",
        "lines-1-quantity": "",
    }
    data.update(overrides)
    return data


def test_create_an_expected_receipt_then_cancel_it(web_as, plant):
    from wms.models import ExpectedReceipt

    client = web_as(plant["user"])
    response = client.post(reverse("wms:receipt-create"), receipt_post(), follow=True)
    receipt = ExpectedReceipt.objects.get(number="GR-T-1")
    assert receipt.site == plant["site"] and receipt.lines.count() == 1
    assert "GR-T-1" in response.content.decode()
    listing = client.get(reverse("wms:receipt-list")).content.decode()
    assert "GR-T-1" in listing and "PO-77" in listing

    client.post(reverse("wms:receipt-cancel", args=[receipt.pk]))
    receipt.refresh_from_db()
    assert receipt.status == "cancelled"


def test_receipt_with_an_unknown_item_shows_the_line_error_and_creates_nothing(web_as, plant):
    from wms.models import ExpectedReceipt

    response = web_as(plant["user"]).post(reverse("wms:receipt-create"), receipt_post(**{"lines-0-item": "NOPE"}))
    assert response.status_code == 200
    assert "No item with code NOPE" in response.content.decode()
    assert not ExpectedReceipt.objects.filter(number="GR-T-1").exists()


def test_receipt_without_lines_is_refused(web_as, plant):
    from wms.models import ExpectedReceipt

    data = receipt_post(**{"lines-0-item": "", "lines-0-quantity": ""})
    response = web_as(plant["user"]).post(reverse("wms:receipt-create"), data)
    assert "Add at least one line" in response.content.decode()
    assert not ExpectedReceipt.objects.exists()


def test_another_sites_receipt_answers_404(web_as, plant):
    from wms.services.receiving import create_expected_receipt

    other_user = UserFactory(roles=["warehouse"], sites=[plant["other_bin"].warehouse.site])
    receipt = create_expected_receipt(
        site=plant["other_bin"].warehouse.site,
        number="GR-OTHER",
        lines=[{"item": plant["item"], "quantity": Decimal("5")}],
        user=other_user,
    )
    assert web_as(plant["user"]).get(reverse("wms:receipt-detail", args=[receipt.pk])).status_code == 404


def test_create_a_shipment_pick_list_shows_lines_then_cancel(web_as, plant):
    from wms.models import PickList

    client = web_as(plant["user"])
    data = {
        "purpose": "shipment",
        "reference": "SO-9",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": "CMP-100",
        "lines-0-quantity": "4",
    }
    response = client.post(reverse("wms:picklist-create"), data, follow=True)
    pick_list = PickList.objects.get(reference="SO-9")
    page = response.content.decode()
    assert pick_list.number in page and plant["raw"].code in page and "L-1" in page
    client.post(reverse("wms:picklist-cancel", args=[pick_list.pk]))
    pick_list.refresh_from_db()
    assert pick_list.status == "cancelled"


def test_staging_pick_list_without_a_bin_shows_the_field_error(web_as, plant):
    from wms.models import PickList

    data = {
        "purpose": "staging",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-item": "CMP-100",
        "lines-0-quantity": "4",
    }
    response = web_as(plant["user"]).post(reverse("wms:picklist-create"), data)
    assert "destination_bin" in response.context["form"].errors
    assert not PickList.objects.exists()


@pytest.fixture
def pending_count(plant):
    """A count of the lot's bin 4 short of 10 at cost 4: above the 5 % threshold, so it waits."""
    from wms.services.counting import generate_count_tasks, submit_count

    tasks = generate_count_tasks(site=plant["site"], user=plant["user"])
    task = next(t for t in tasks if t.bin_id == plant["raw"].pk)
    return submit_count(task=task, counted_quantity=Decimal("6"), user=plant["user"], reason="found less")


def test_generate_count_tasks_button(web_as, plant):
    from wms.models import CountTask

    response = web_as(plant["user"]).post(reverse("wms:count-generate"), follow=True)
    assert CountTask.objects.filter(site=plant["site"], bin=plant["raw"]).count() == 1
    assert "1 count tasks created" in response.content.decode()


def test_supervisor_sees_system_and_counted_quantity_and_approves_with_signature(web_as, plant, pending_count):
    from core.models import Signature

    supervisor = UserFactory(roles=["supervisor"], sites=[plant["site"]])
    client = web_as(supervisor)
    url = reverse("wms:count-approve", args=[pending_count.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["task"].system_quantity == Decimal("10") and b"16.00" in page.content  # 4 x 4.00
    response = client.post(
        url,
        {"signature-password": "correct-horse-battery", "signature-meaning": "approved", "signature-comment": "ok"},
        follow=True,
    )
    pending_count.refresh_from_db()
    assert pending_count.status == "posted"
    assert on_hand(plant["item"], plant["raw"], plant["lot"]) == Decimal("6")
    assert Signature.objects.filter(user=supervisor, meaning="approved").count() == 1
    assert "Count approved" in response.content.decode()


def test_count_approval_with_a_wrong_password_signs_nothing(web_as, plant, pending_count):
    from core.models import Signature

    supervisor = UserFactory(roles=["supervisor"], sites=[plant["site"]])
    response = web_as(supervisor).post(
        reverse("wms:count-approve", args=[pending_count.pk]),
        {"signature-password": "wrong", "signature-meaning": "approved", "signature-comment": ""},
    )
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    pending_count.refresh_from_db()
    assert pending_count.status == "pending_approval"
    assert not Signature.objects.exists()
    assert on_hand(plant["item"], plant["raw"], plant["lot"]) == Decimal("10")


def test_rejecting_a_count_needs_a_comment_and_creates_a_recount(web_as, plant, pending_count):
    from wms.models import CountTask

    supervisor = UserFactory(roles=["supervisor"], sites=[plant["site"]])
    client = web_as(supervisor)
    url = reverse("wms:count-approve", args=[pending_count.pk])
    response = client.post(url, {"signature-password": "correct-horse-battery", "signature-meaning": "rejected"})
    assert "comment" in response.context["form"].errors
    client.post(
        url,
        {
            "signature-password": "correct-horse-battery",
            "signature-meaning": "rejected",
            "signature-comment": "count again",
        },
    )
    pending_count.refresh_from_db()
    assert pending_count.status == "rejected"
    assert CountTask.objects.filter(recount_of=pending_count, status="open").exists()


def test_evaluate_alerts_button_raises_a_below_reorder_alert(web_as, plant):
    from wms.models import StockPolicy

    StockPolicy.objects.create(site=plant["site"], item=plant["item"], reorder_point=Decimal("50"))
    client = web_as(plant["user"])
    response = client.post(reverse("wms:alert-evaluate"), follow=True)
    assert "raised" in response.content.decode()
    listing = client.get(reverse("wms:alert-list"), {"kind": "below_reorder"})
    assert listing.context["page_obj"].paginator.count == 1
    assert "CMP-100" in listing.content.decode()


def test_kpi_page_draws_local_plotly_charts_for_the_period(web_as, plant):
    from wms.services.ledger import post_move

    post_move(
        kind="issue",
        item=plant["item"],
        quantity=Decimal("3"),
        lot=plant["lot"],
        from_bin=plant["raw"],
        user=plant["user"],
    )
    response = web_as(plant["user"]).get(reverse("wms:kpis"), {"start": "2020-01-01", "end": "2030-12-31"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/vendor/plotly/plotly.min.js" in page and "cdn" not in page.lower()
    assert page.count("data-plotly=") == 4 and page.count('type="application/json"') >= 4
    turnover = response.context["turnover"]
    assert turnover[0]["item"] == "CMP-100" and turnover[0]["cogs"] == Decimal("12.00")


def test_kpi_period_with_end_before_start_shows_the_error(web_as, plant):
    response = web_as(plant["user"]).get(reverse("wms:kpis"), {"start": "2026-02-01", "end": "2026-01-01"})
    assert response.status_code == 200
    assert "end" in response.context["form"].errors


def test_planner_applies_the_proposed_abc_classes(web_as, plant):
    from wms.services.ledger import post_move

    post_move(
        kind="issue",
        item=plant["item"],
        quantity=Decimal("3"),
        lot=plant["lot"],
        from_bin=plant["raw"],
        user=plant["user"],
    )
    planner = UserFactory(roles=["planner"], sites=[plant["site"]])
    client = web_as(planner)
    assert b"Apply (1 change)" in client.get(reverse("wms:kpis")).content
    client.post(reverse("wms:kpis-apply-abc"), {"start": "2020-01-01", "end": "2030-12-31"})
    from wms.selectors.planning import item_abc_class

    assert item_abc_class(item=plant["item"], site=plant["site"]) == "A"
    assert b"Apply (1 change)" not in client.get(reverse("wms:kpis")).content
    # the warehouse role does not maintain items: no button, and the post is refused
    ware = web_as(plant["user"])
    assert b"kpis/apply-abc" not in ware.get(reverse("wms:kpis")).content
    assert ware.post(reverse("wms:kpis-apply-abc"), {}).status_code == 403


def test_count_detail_shows_the_figures_and_the_review_link_to_a_supervisor_only(web_as, plant, pending_count):
    url = reverse("wms:count-detail", args=[pending_count.pk])
    supervisor = UserFactory(roles=["supervisor"], sites=[plant["site"]])
    page = web_as(supervisor).get(url).content.decode()
    assert "Awaiting approval" in page and reverse("wms:count-approve", args=[pending_count.pk]) in page
    # the warehouse user counted it: it may read it, but not approve it
    client = web_as(plant["user"])
    assert reverse("wms:count-approve", args=[pending_count.pk]) not in client.get(url).content.decode()
    response = client.get(reverse("wms:count-approve", args=[pending_count.pk]), follow=True)
    assert "not waiting for your approval" in response.content.decode()


def test_dashboard_cards_count_what_is_due_at_the_site(web_as, plant, pending_count):
    from django.utils import timezone

    from wms.services.receiving import create_expected_receipt

    create_expected_receipt(
        site=plant["site"],
        number="GR-DUE",
        lines=[{"item": plant["item"], "quantity": Decimal("5")}],
        user=plant["user"],
        expected_date=timezone.localdate(),
    )
    response = web_as(plant["user"]).get(reverse("wms:dashboard"))
    assert response.context["receipts_due"] == 1
    assert response.context["counts_to_approve"] == 1
    assert response.context["inventory_value"] == Decimal("40")  # 10 pcs at 4.00


def test_the_zone_tables_lots_column_holds_only_percentages(web_as, plant):
    # The raw zone's bin has no lot limit: its "Lots" cell reads a dash, like Volume and Weight
    # without a capacity; the lots it holds have their own column.
    page = web_as(plant["user"]).get(reverse("wms:kpis")).content.decode()
    lots_pct = re.findall(r'data-column="lots-pct">(.*?)</td>', page)
    held = re.findall(r'data-column="lots-held">(.*?)</td>', page)
    assert lots_pct and all("%" in cell or "—" in cell for cell in lots_pct)
    assert "1" in held


def test_the_due_receipts_tile_opens_the_receipts_it_counts(web_as, plant):
    from datetime import timedelta

    from django.utils import timezone

    from tests.wms.factories import ExpectedReceiptFactory

    today = timezone.localdate()
    ExpectedReceiptFactory(site=plant["site"], number="GR-LATE", expected_date=today - timedelta(days=2))
    ExpectedReceiptFactory(site=plant["site"], number="GR-PART", expected_date=today, status="partial")
    ExpectedReceiptFactory(site=plant["site"], number="GR-LATER", expected_date=today + timedelta(days=7))
    client = web_as(plant["user"])
    dashboard = client.get(reverse("wms:dashboard"))
    assert dashboard.context["receipts_due"] == 2
    href = re.search(r'href="([^"]*)"><div class="label">Receipts due today or late', dashboard.content.decode())
    listed = client.get(href.group(1).replace("&amp;", "&")).content
    assert b"GR-LATE" in listed and b"GR-PART" in listed and b"GR-LATER" not in listed
