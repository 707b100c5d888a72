import re
from datetime import date
from html import unescape

import pytest
from django.urls import reverse

from core import scancodes
from core.roles import sync_roles
from tests.factories import ItemFactory, SiteFactory, UserFactory, kg
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.floor.views.labels import qr_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    sync_roles()
    site = SiteFactory(code="P1")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WH1"), kind="raw", code="RAW")
    bins = [BinFactory(zone=zone, code=f"WH1-A-01-{n}") for n in range(1, 4)]
    item = ItemFactory(code="RESIN-7", name="Epoxy resin", tracking="lot", base_unit=kg())
    lot = LotFactory(item=item, code="R-001", site=site, expiry=date(2027, 1, 31))
    user = UserFactory(roles=["warehouse"], sites=[site])
    stock_in(bin=bins[0], item=item, lot=lot, quantity="12.5", user=user)
    return {"site": site, "bins": bins, "item": item, "lot": lot, "user": user}


def payloads(page: str) -> list[str]:
    return [unescape(p) for p in re.findall(r'data-payload="([^"]+)"', page)]


def test_lot_label_round_trips_through_the_scanner_parser(plant, web_as):
    page = web_as(plant["user"]).get(reverse("wms:lot-label", args=[plant["lot"].pk]), {"quantity": "25"})
    assert page.status_code == 200
    html = page.content.decode()
    [payload] = payloads(html)
    assert payload == "WMS1|LOT|RESIN-7|R-001|25|2027-01-31"
    assert str(qr_svg(payload)) in html  # the QR drawn holds exactly this payload
    assert "<svg" in html and "Epoxy resin" in html and "2027-01-31" in html
    assert "@page" in html and "105mm 148mm" in html
    scan = scancodes.parse(payload, user=plant["user"])
    assert scan.lot == plant["lot"] and str(scan.quantity) == "25"


def test_lot_label_defaults_to_the_quantity_on_hand_and_prints_copies(plant, web_as):
    page = web_as(plant["user"]).get(reverse("wms:lot-label", args=[plant["lot"].pk]), {"copies": "3"})
    assert payloads(page.content.decode()) == ["WMS1|LOT|RESIN-7|R-001|12.5|2027-01-31"] * 3


def test_quarantined_lot_label_says_so(plant, web_as):
    plant["lot"].status = "quarantine"
    plant["lot"].save()
    page = web_as(plant["user"]).get(reverse("wms:lot-label", args=[plant["lot"].pk]))
    assert "QUARANTINE" in page.content.decode()


def test_bin_label_and_a_sheet_of_bins(plant, web_as):
    client = web_as(plant["user"])
    one = client.get(reverse("wms:bin-label", args=[plant["bins"][1].pk])).content.decode()
    assert payloads(one) == ["WMS1|BIN|WH1-A-01-2"]
    assert scancodes.parse(payloads(one)[0], user=plant["user"]).record == plant["bins"][1]
    sheet = client.get(reverse("wms:bin-labels"), {"warehouse": "WH1"}).content.decode()
    assert payloads(sheet) == [f"WMS1|BIN|{b.code}" for b in plant["bins"]]
    assert "size: A4" in sheet
    picked = client.get(reverse("wms:bin-labels") + "?code=WH1-A-01-3&code=WH1-A-01-1").content.decode()
    assert sorted(payloads(picked)) == ["WMS1|BIN|WH1-A-01-1", "WMS1|BIN|WH1-A-01-3"]


def test_qr_is_a_full_qr_code_not_micro_qr(plant):
    svg = str(qr_svg("WMS1|BIN|X"))
    size = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    assert size >= 21 + 4  # version 1 QR (21 modules) plus the quiet zone; Micro QR is smaller


def test_another_sites_labels_are_not_found(plant, web_as):
    other = SiteFactory(code="P2")
    lot = LotFactory(item=plant["item"], code="R-P2", site=other)
    bin_ = BinFactory(zone=ZoneFactory(warehouse=WarehouseFactory(site=other, code="WH2")))
    client = web_as(plant["user"])
    assert client.get(reverse("wms:lot-label", args=[lot.pk])).status_code == 404
    assert client.get(reverse("wms:bin-label", args=[bin_.pk])).status_code == 404
    sheet = client.get(reverse("wms:bin-labels"), {"code": bin_.code}).content.decode()
    assert payloads(sheet) == []


@pytest.mark.parametrize("name", ["code", "warehouse", "zone", "aisle"])
def test_bin_labels_with_a_control_character_are_refused(plant, web_as, name):
    # The request edge refuses a NUL in any query string before the label view sees it.
    response = web_as(plant["user"]).get(reverse("wms:bin-labels"), {name: "WH1\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
