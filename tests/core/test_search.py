"""The desk search box: an exact code, number or scanned label opens its record; partial text
lists hits; nothing of another site is ever found."""

import pytest
from django.urls import reverse

from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return SiteFactory(code="S1")


@pytest.fixture
def supervisor(site):
    return UserFactory(username="sup", roles=["supervisor"], sites=[site])


def test_an_exact_item_code_opens_the_item(client, supervisor):
    item = ItemFactory(code="CMP-100")
    ItemFactory(code="CMP-1000")
    client.force_login(supervisor)
    response = client.get(reverse("search"), {"q": "cmp-100"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:item-detail", args=[item.pk])


def test_partial_text_lists_the_hits(client, supervisor):
    ItemFactory(code="CMP-100", name="Compressor")
    ItemFactory(code="CMP-200", name="Compressor two")
    client.force_login(supervisor)
    response = client.get(reverse("search"), {"q": "CMP"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "CMP-100" in html and "CMP-200" in html


def test_a_lot_code_and_a_scanned_lot_label_open_the_lot(client, supervisor, site):
    lot = LotFactory(code="LOT-77", site=site)
    client.force_login(supervisor)
    assert client.get(reverse("search"), {"q": "LOT-77"})["Location"] == reverse("wms:lot-detail", args=[lot.pk])
    label = f"WMS1|LOT|{lot.item.code}|LOT-77|5|"
    assert client.get(reverse("search"), {"q": label})["Location"] == reverse("wms:lot-detail", args=[lot.pk])


def test_a_bin_label_opens_the_bin(client, supervisor, site):
    bin_ = BinFactory(zone__warehouse__site=site)
    client.force_login(supervisor)
    response = client.get(reverse("search"), {"q": f"WMS1|BIN|{bin_.code}"})
    assert response["Location"] == reverse("wms:bin-detail", args=[bin_.pk])


def test_another_sites_lot_is_never_found(client, supervisor):
    LotFactory(code="THEIRS-1", site=SiteFactory(code="S2"))
    client.force_login(supervisor)
    response = client.get(reverse("search"), {"q": "THEIRS-1"})
    assert response.status_code == 200
    assert "THEIRS-1</strong>" not in response.content.decode()


@pytest.mark.parametrize(
    "text", ["", "   ", "a" * 5000, "%", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")]
)
def test_odd_text_answers_a_page_never_an_error(client, supervisor, text):
    client.force_login(supervisor)
    assert client.get(reverse("search"), {"q": text}).status_code == 200


def test_a_nul_byte_is_refused_with_the_bad_request_page(client, supervisor):
    client.force_login(supervisor)
    response = client.get(reverse("search"), {"q": "\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_the_top_bar_has_the_search_box(client, supervisor):
    client.force_login(supervisor)
    assert 'action="/search/"' in client.get(reverse("home"), {"desk": "1"}).content.decode()
