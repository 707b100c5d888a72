"""Lots are per site (docs/architecture.md): another site's lot code on the desk move form or the
tablet's receive screen never touches that site's lot, and the pages never reveal it exists."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ItemFactory, SiteFactory
from tests.wms.factories import LotFactory, stock_in, warehouse_layout
from wms.models import Lot, StockQuant

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites():
    here = warehouse_layout(SiteFactory(code="SZ"))
    there = warehouse_layout(SiteFactory(code="MTY"))
    item = ItemFactory(code="PCB-INV01", tracking="lot")
    theirs = LotFactory(item=item, site=there.site, code="MTY-PCB2609", status="on_hold")
    stock_in(bin=there.raw, item=item, quantity="4", lot=theirs, user=there.user)
    return here, there, item, theirs


def test_a_desk_receipt_naming_another_sites_lot_makes_this_sites_own_lot(client, two_sites):
    here, _there, item, theirs = two_sites
    client.force_login(here.user)
    response = client.post(
        reverse("wms:move-create"),
        {"kind": "receipt", "item": item.code, "lot": theirs.code, "to_bin": here.receiving.code, "quantity": "3"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ours = Lot.objects.get(item=item, code=theirs.code, site=here.site)
    assert ours.pk != theirs.pk
    assert StockQuant.objects.get(lot=ours).quantity == Decimal("3")
    theirs.refresh_from_db()
    assert theirs.status == "on_hold"
    assert StockQuant.objects.get(lot=theirs).quantity == Decimal("4")


def test_a_desk_issue_naming_another_sites_lot_does_not_say_it_is_on_hold(client, two_sites):
    here, _there, item, theirs = two_sites
    client.force_login(here.user)
    response = client.post(
        reverse("wms:move-create"),
        {"kind": "issue", "item": item.code, "lot": theirs.code, "from_bin": here.raw.code, "quantity": "1"},
    )
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert "on hold" not in html.lower()
    assert StockQuant.objects.get(lot=theirs).quantity == Decimal("4")


def test_a_tablet_receipt_naming_another_sites_lot_makes_this_sites_own_lot(client, two_sites):
    here, _there, item, theirs = two_sites
    client.force_login(here.user)
    client.post(reverse("wms:tablet-receive-free"), {"item": f"{item.code}|{theirs.code}", "quantity": "2"})
    theirs.refresh_from_db()
    assert StockQuant.objects.get(lot=theirs).quantity == Decimal("4")
    assert theirs.status == "on_hold"
    assert not StockQuant.objects.filter(lot=theirs, site=here.site).exists()
