"""Every desk page and shop-floor screen with a form, fed odd values, as every role: the answer is
a page (200), a redirect, a refusal (400/403/404), never a server error. The forms' own fields are
read from each page, so a field added later is fuzzed too."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import CountTask, Lot, PickLine, PickList
from wms.services.counting import generate_count_tasks, submit_count
from wms.services.receiving import create_expected_receipt

pytestmark = pytest.mark.django_db

ANSWERS = {200, 302, 400, 403, 404, 405}
ODD = [
    "LOT 1",
    "批次-1",
    "<script>x</script>",
    "1e400",
    "1E+30",
    "1_000",
    "9999-12-31",
    "x" * 300,
    "bad\x00nul",
    "WMS1|LOT|RESIN-7|LOT 1||",
]
# Fewer values for the sweep over every role (the role changes who gets in, not the parsing).
ROLE_SWEEP = ["LOT 1", "1e400", "bad\x00nul"]
_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"<(?:input|select|textarea|button)\b[^>]*\bname=\"([^\"]+)\"", re.I)
_SKIP = {"csrfmiddlewaretoken"}
# Forms of the page layout that post elsewhere (site and language switchers, sign-out).
_OTHER_FORMS = ("/site/", "/i18n/", "/logout/", "/accounts/")


@pytest.fixture(autouse=True)
def roles():
    sync_roles()


@pytest.fixture
def plant():
    site = SiteFactory(code="P1")
    warehouse = WarehouseFactory(site=site, code="WH1")
    receiving = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="receiving", code="RCV"), code="WH1-RCV-01")
    raw = ZoneFactory(warehouse=warehouse, kind="raw", code="RAW")
    a = BinFactory(zone=raw, code="WH1-A-01", pick_sequence=1)
    b = BinFactory(zone=raw, code="WH1-A-02", pick_sequence=2)
    bolt = ItemFactory(code="BOLT-M8", tracking="none", standard_cost=Decimal("1"))
    resin = ItemFactory(code="RESIN-7", tracking="lot", shelf_life_days=365, standard_cost=Decimal("4"))
    worker = UserFactory(username="fuzz-warehouse", roles=["warehouse"], sites=[site])
    lot = LotFactory(item=resin, code="R-001", site=site)
    stock_in(bin=a, item=resin, lot=lot, quantity="10", user=worker)
    stock_in(bin=b, item=bolt, quantity="50", user=worker)
    stock_in(bin=receiving, item=bolt, quantity="5", user=worker)
    receipt = create_expected_receipt(site=site, lines=[{"item": resin, "quantity": Decimal("20")}], user=worker)
    pick_list = PickList.objects.create(site=site, number="PK-FUZZ", purpose="shipment")
    PickLine.objects.create(pick_list=pick_list, sequence=1, item=resin, lot=lot, bin=a, quantity=Decimal("4"))
    open_task = CountTask.objects.create(site=site, bin=b, item=bolt, due_date=timezone.localdate() - timedelta(days=1))
    task = next(t for t in generate_count_tasks(site=site, user=worker) if t.bin_id == a.pk)
    pending = submit_count(task=task, counted_quantity=Decimal("6"), user=worker, reason="found less")
    quarantined = LotFactory(item=resin, code="R-Q", site=site, status="quarantine")
    return {
        "quarantined": quarantined,
        "site": site,
        "receiving": receiving,
        "a": a,
        "b": b,
        "bolt": bolt,
        "resin": resin,
        "lot": lot,
        "worker": worker,
        "receipt": receipt,
        "line": receipt.lines.get(),
        "pick_list": pick_list,
        "open_task": open_task,
        "pending": pending,
    }


def form_pages(p) -> list[tuple[str, dict]]:
    """Each page with a POST form, and a valid submission to vary one field at a time."""
    putaway = reverse("wms:tablet-putaway-stock") + f"?item={p['bolt'].pk}&bin={p['receiving'].pk}"
    return [
        (
            reverse("wms:move-create"),
            {
                "kind": "transfer",
                "item": "RESIN-7",
                "lot": "R-001",
                "from_bin": "WH1-A-01",
                "to_bin": "WH1-A-02",
                "quantity": "1",
                "unit": "",
                "reference": "",
                "reason": "",
            },
        ),
        (
            reverse("wms:move-create"),
            {
                "kind": "receipt",
                "item": "RESIN-7",
                "lot": "NEW-1",
                "from_bin": "",
                "to_bin": "WH1-RCV-01",
                "quantity": "1",
                "unit": "",
                "reference": "",
                "reason": "",
            },
        ),
        (
            reverse("wms:receipt-create"),
            {
                "number": "",
                "supplier": "",
                "reference": "",
                "expected_date": "",
                "lines-TOTAL_FORMS": "1",
                "lines-INITIAL_FORMS": "0",
                "lines-0-item": "BOLT-M8",
                "lines-0-quantity": "3",
                "lines-0-unit": "",
            },
        ),
        (
            reverse("wms:picklist-create"),
            {
                "purpose": "shipment",
                "reference": "",
                "destination_bin": "",
                "number": "",
                "lines-TOTAL_FORMS": "1",
                "lines-INITIAL_FORMS": "0",
                "lines-0-item": "BOLT-M8",
                "lines-0-quantity": "3",
                "lines-0-unit": "",
            },
        ),
        (reverse("wms:lot-detail", args=[p["lot"].pk]), {"status": "on_hold", "reason": "check"}),
        (reverse("wms:bin-detail", args=[p["b"].pk]), {"reason": "rack", "block": "1"}),
        (
            reverse("wms:count-approve", args=[p["pending"].pk]),
            {"signature-password": "x", "signature-meaning": "approved", "signature-comment": "ok"},
        ),
        (reverse("wms:kpis-apply-abc"), {"start": "2026-01-01", "end": "2026-02-01"}),
        (
            reverse("wms:tablet-move"),
            {"from_bin": "WH1-A-01", "what": "RESIN-7|R-001", "quantity": "1", "to_bin": "WH1-A-02"},
        ),
        (
            reverse("wms:tablet-receive-line", args=[p["line"].pk]),
            {"item": "", "quantity": "2", "lot_code": "NEW-2", "supplier_lot": "", "expiry": ""},
        ),
        (
            reverse("wms:tablet-receive-free"),
            {"item": "RESIN-7", "quantity": "2", "lot_code": "NEW-3", "supplier_lot": "", "expiry": ""},
        ),
        (putaway, {"to_bin": "WH1-A-02", "quantity": "1"}),
        (
            reverse("wms:tablet-pick-list", args=[p["pick_list"].pk]),
            {"bin": "WH1-A-01", "lot": "R-001", "quantity": "4", "confirm": ""},
        ),
        (reverse("wms:tablet-count-task", args=[p["open_task"].pk]), {"bin": "WH1-A-02", "counted_quantity": "50"}),
        (
            reverse("wms:adjustment-create"),
            {
                "item": "RESIN-7",
                "lot": "R-001",
                "bin": "WH1-A-01",
                "direction": "lower",
                "quantity": "1",
                "reason_code": "damaged",
                "note": "",
            },
        ),
        (
            reverse("wms:lot-detail", args=[p["quarantined"].pk]),
            {"status": "available", "reason": "passed", "password": "x"},
        ),
    ]


FORM_PAGES = 16


def filter_pages(p) -> list[str]:
    """Pages whose GET form filters or scans (every field fuzzed in the query string)."""
    return [
        reverse(name)
        for name in (
            "wms:stock",
            "wms:lot-list",
            "wms:move-list",
            "wms:bin-list",
            "wms:receipt-list",
            "wms:picklist-list",
            "wms:count-list",
            "wms:alert-list",
            "wms:adjustment-list",
            "wms:kpis",
            "wms:tablet-count",
            "wms:tablet-putaway",
            "wms:bin-labels",
        )
    ] + [
        reverse("wms:tablet-receive-receipt", args=[p["receipt"].pk]),
        reverse("wms:lot-label", args=[p["lot"].pk]),
    ]


FILTER_PAGES = 14


def fields_of(html: str, method: str) -> list[str]:
    names = []
    for attrs, body in _FORM.findall(html):
        if f'method="{method}"' not in attrs.lower() or any(other in attrs for other in _OTHER_FORMS):
            continue
        names += [name for name in _NAME.findall(body) if name not in _SKIP]
    return sorted(set(names))


def answer(response, what):
    assert response.status_code in ANSWERS, f"{what}: {response.status_code}"


@pytest.mark.parametrize("role", [role for role, _label in Role.choices])
def test_every_form_as_every_role_answers_without_a_server_error(client, plant, role):
    user = UserFactory(username=f"fuzz-{role}", roles=[role], sites=[plant["site"]])
    client.force_login(user)
    for url, valid in form_pages(plant):
        page = client.get(url)
        answer(page, f"GET {url}")
        names = sorted(set(valid) | set(fields_of(page.content.decode(), "post"))) if page.status_code == 200 else valid
        for value in ROLE_SWEEP:
            answer(client.post(url, dict.fromkeys(names, value)), f"POST {url} all={value!r}")
    for url in filter_pages(plant):
        page = client.get(url)
        answer(page, f"GET {url}")
        names = fields_of(page.content.decode(), "get") if page.status_code == 200 else ["code"]
        for value in ROLE_SWEEP:
            answer(client.get(url, dict.fromkeys(names or ["code"], value)), f"GET {url} all={value!r}")


@pytest.mark.parametrize("page", range(FORM_PAGES))
def test_every_field_of_every_form_fed_odd_values_one_at_a_time(client, plant, page):
    lead = UserFactory(username="fuzz-lead", roles=["supervisor", "warehouse"], sites=[plant["site"]])
    client.force_login(lead)
    url, valid = form_pages(plant)[page]
    for name in valid:
        for value in ODD:
            answer(client.post(url, {**valid, name: value}), f"POST {url} {name}={value!r}")


@pytest.mark.parametrize("page", range(FILTER_PAGES))
def test_every_filter_and_scan_field_fed_odd_values(client, plant, page):
    lead = UserFactory(username="fuzz-lead", roles=["supervisor", "warehouse"], sites=[plant["site"]])
    client.force_login(lead)
    url = filter_pages(plant)[page]
    names = fields_of(client.get(url).content.decode(), "get") or ["code"]
    for name in names:
        for value in ODD:
            answer(client.get(url, {name: value}), f"GET {url} {name}={value!r}")


@pytest.mark.parametrize("code", ["LOT 1", "LOT/1", "批次-1", "<script>x</script>"])
def test_a_new_lot_code_against_the_lot_rules_is_a_field_message(client, plant, code):
    client.force_login(plant["worker"])
    tablet = client.post(
        reverse("wms:tablet-receive-line", args=[plant["line"].pk]), {"quantity": "2", "lot_code": code}
    )
    assert tablet.status_code == 400
    assert "lot_code" in tablet.context["form"].errors
    desk = client.post(
        reverse("wms:move-create"),
        {"kind": "receipt", "item": "RESIN-7", "lot": code, "to_bin": "WH1-RCV-01", "quantity": "1"},
    )
    assert desk.status_code == 200 and "lot" in desk.context["form"].errors
    scanned = client.post(reverse("wms:tablet-receive-free"), {"item": f"RESIN-7|{code}", "quantity": "2"})
    assert scanned.status_code == 400 and "item" in scanned.context["form"].errors
    assert not Lot.objects.filter(item=plant["resin"], code=code).exists()


@pytest.mark.parametrize("quantity", ["1e400", "1E+30", "1_000", "١٢", "1.0000000000000000000001"])
def test_odd_quantities_on_the_tablet_screens_are_field_messages(client, plant, quantity):
    # A count open on the receiving bin would hide its stock from the worker (blind count).
    CountTask.objects.filter(bin=plant["receiving"]).delete()
    client.force_login(plant["worker"])
    for url, data, field in [
        (
            reverse("wms:tablet-move"),
            {"from_bin": "WH1-A-01", "what": "RESIN-7|R-001", "to_bin": "WH1-A-02"},
            "quantity",
        ),
        (reverse("wms:tablet-receive-line", args=[plant["line"].pk]), {"lot_code": "NEW-9"}, "quantity"),
        (
            reverse("wms:tablet-putaway-stock") + f"?item={plant['bolt'].pk}&bin={plant['receiving'].pk}",
            {"to_bin": "WH1-A-02"},
            "quantity",
        ),
    ]:
        response = client.post(url, {**data, field: quantity})
        assert response.status_code == 400, url
        assert field in response.context["form"].errors, url


def test_a_fraction_of_a_piece_is_refused_on_the_tablet(client, plant):
    client.force_login(plant["worker"])
    response = client.post(
        reverse("wms:tablet-move"), {"from_bin": "WH1-A-02", "what": "BOLT-M8", "quantity": "1.5", "to_bin": "WH1-A-01"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["quantity"] == ["pcs is counted in whole numbers."]


@pytest.mark.parametrize("period", [{"end": "9999-12-31"}, {"start": "0001-01-01", "end": "2026-01-01"}])
def test_a_kpi_period_out_of_range_is_a_form_message(client, plant, period):
    lead = UserFactory(roles=["supervisor"], sites=[plant["site"]])
    client.force_login(lead)
    response = client.get(reverse("wms:kpis"), {"start": "2026-01-01", **period})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["end"] < date(9999, 1, 1) and response.context["start"] > date(1, 12, 31)
