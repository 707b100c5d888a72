"""Printable receipt and pick slips, lot labels with their status band, and bin labels by aisle
from the bin list."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core import scancodes
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.models import PickLine, PickList
from wms.services.receiving import create_expected_receipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client):
    sync_roles()
    site = SiteFactory(code="DS")
    warehouse = WarehouseFactory(site=site, code="WDS")
    zone = ZoneFactory(warehouse=warehouse, kind="raw", code="RAWD")
    a = BinFactory(zone=zone, code="WDS-A-01", aisle="A")
    BinFactory(zone=zone, code="WDS-B-01", aisle="B")
    item = ItemFactory(code="GLUE-9", tracking="lot")
    lot = LotFactory(item=item, site=site, code="G-77")
    user = UserFactory(roles=["warehouse"], sites=[site])
    stock_in(bin=a, item=item, lot=lot, quantity="12", user=user)
    type(lot).objects.filter(pk=lot.pk).update(status="quarantine")
    lot.refresh_from_db()
    receipt = create_expected_receipt(site=site, lines=[{"item": item, "quantity": Decimal("40")}], user=user)
    pick_list = PickList.objects.create(site=site, number="PK-DS-1", purpose="shipment")
    PickLine.objects.create(pick_list=pick_list, sequence=1, item=item, lot=lot, bin=a, quantity=Decimal("4"))
    client.force_login(user)
    session = client.session
    session["current_site"] = site.code
    session.save()
    return {"site": site, "a": a, "lot": lot, "receipt": receipt, "pick_list": pick_list, "user": user}


def test_the_receipt_slip_prints_its_lines_with_qr_codes(client, desk):
    receipt = desk["receipt"]
    page = client.get(reverse("wms:receipt-slip", args=[receipt.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and receipt.number in html and "GLUE-9" in html
    assert html.count("<svg") == 2  # the document's QR and the line's
    assert "size: A4" in html
    assert (
        "size: letter"
        in client.get(reverse("wms:receipt-slip", args=[receipt.pk]), {"paper": "letter"}).content.decode()
    )
    assert "size: A4" in client.get(reverse("wms:receipt-slip", args=[receipt.pk]), {"paper": "<x>"}).content.decode()
    assert (
        reverse("wms:receipt-slip", args=[receipt.pk])
        in client.get(reverse("wms:receipt-detail", args=[receipt.pk])).content.decode()
    )


def test_the_pick_slip_lists_bins_in_order_with_the_lot_payload(client, desk):
    page = client.get(reverse("wms:picklist-slip", args=[desk["pick_list"].pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "WDS-A-01" in html and "G-77" in html
    assert page.context["lines"][0]["payload"] == scancodes.lot_payload(lot=desk["lot"])


def test_slips_of_another_site_are_not_found(client, desk):
    client.force_login(UserFactory(roles=["warehouse"], sites=[SiteFactory(code="DX")]))
    assert client.get(reverse("wms:receipt-slip", args=[desk["receipt"].pk])).status_code == 404
    assert client.get(reverse("wms:picklist-slip", args=[desk["pick_list"].pk])).status_code == 404


def test_a_held_lot_label_has_its_status_band_and_the_lot_page_links_it(client, desk):
    lot = desk["lot"]
    assert (
        reverse("wms:lot-label", args=[lot.pk]) in client.get(reverse("wms:lot-detail", args=[lot.pk])).content.decode()
    )
    html = client.get(reverse("wms:lot-label", args=[lot.pk])).content.decode()
    assert 'class="lbl-status"' in html and "QUARANTINE" in html and "with-status" in html


def test_the_bin_list_prints_the_labels_of_an_aisle(client, desk):
    page = client.get(reverse("wms:bin-list"), {"aisle": "A"})
    link = f"{reverse('wms:bin-labels')}?aisle=A"
    assert link in page.content.decode()
    labels = client.get(link)
    assert [label["bin"].code for label in labels.context["labels"]] == ["WDS-A-01"]
    assert (
        reverse("wms:bin-label", args=[desk["a"].pk])
        in client.get(reverse("wms:bin-detail", args=[desk["a"].pk])).content.decode()
    )
