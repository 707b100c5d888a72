"""Releasing a lot from quarantine: the quality role, an electronic signature, and a putaway out
of the quarantine zone proposed."""

import threading

import pytest
from django.db import connection

from core.errors import PermissionDenied, SignatureInvalid, ValidationFailed
from core.models import Signature
from tests.factories import UserFactory
from tests.wms.factories import LotFactory, stock_in, warehouse_layout
from wms.models import Lot, LotStatus
from wms.services import lots, putaway

PASSWORD = "correct-horse-battery"
pytestmark = pytest.mark.django_db


def quarantined_stock():
    layout = warehouse_layout()
    lot = LotFactory(site=layout.site, status=LotStatus.QUARANTINE)
    stock_in(bin=layout.quarantine, item=lot.item, quantity=4, lot=lot, user=layout.user)
    return layout, lot


def test_a_warehouse_user_cannot_release_a_quarantined_lot():
    layout, lot = quarantined_stock()
    with pytest.raises(PermissionDenied) as refused:
        lots.change_lot_status(lot=lot, status=LotStatus.AVAILABLE, user=layout.user, reason="looks fine")
    assert refused.value.code == "quality_release"
    lot.refresh_from_db()
    assert lot.status == LotStatus.QUARANTINE


def test_release_needs_the_signers_password_and_a_reason():
    layout, lot = quarantined_stock()
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    with pytest.raises(SignatureInvalid):
        lots.release_lot(lot=lot, user=inspector, password="wrong", reason="passed")
    with pytest.raises(ValidationFailed):
        lots.release_lot(lot=lot, user=inspector, password=PASSWORD, reason=" ")
    lot.refresh_from_db()
    assert lot.status == LotStatus.QUARANTINE and not Signature.objects.exists()

    lots.release_lot(lot=lot, user=inspector, password=PASSWORD, reason="incoming inspection passed")
    lot.refresh_from_db()
    assert lot.status == LotStatus.AVAILABLE
    signature = Signature.objects.get()
    assert signature.user == inspector and signature.meaning == "released" and signature.object_id == str(lot.pk)


def test_release_proposes_a_putaway_out_of_quarantine():
    layout, lot = quarantined_stock()
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    lots.release_lot(lot=lot, user=inspector, password=PASSWORD, reason="passed")
    proposals = putaway.release_putaway(lot=lot, user=inspector)
    assert [(row.bin, [s.bin for s in ranked]) for row, ranked in proposals] == [(layout.quarantine, [layout.raw])]


def test_the_api_asks_for_the_signature_and_answers_the_putaway(api_as):
    layout, lot = quarantined_stock()
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    url = f"/api/v1/wms/lots/{lot.pk}/status/"
    unsigned = api_as(inspector).post(url, {"status": "available", "reason": "passed"})
    assert unsigned.status_code == 403
    by_warehouse = api_as(layout.user).post(url, {"status": "available", "reason": "passed", "password": PASSWORD})
    assert by_warehouse.status_code == 403 and by_warehouse.json()["code"] == "quality_release"
    signed = api_as(inspector).post(url, {"status": "available", "reason": "passed", "password": PASSWORD})
    assert signed.status_code == 200, signed.json()
    [proposal] = signed.json()["putaway"]
    assert proposal["from_bin"] == layout.quarantine.code and proposal["suggested_bins"] == [layout.raw.code]


def test_the_desk_release_shows_the_signature_error_on_the_password_field(client):
    layout, lot = quarantined_stock()
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    client.force_login(inspector)
    page = client.post(f"/wms/lots/{lot.pk}/", {"status": "available", "reason": "passed", "password": "wrong"})
    assert page.status_code == 200
    assert "password" in page.context["status_form"].errors
    page = client.post(
        f"/wms/lots/{lot.pk}/", {"status": "available", "reason": "passed", "password": PASSWORD}, follow=True
    )
    assert page.status_code == 200 and layout.raw.code in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_signed_releases_at_once_release_once():
    layout, lot = quarantined_stock()
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    results = []

    def release():
        try:
            lots.release_lot(lot=lot, user=inspector, password=PASSWORD, reason="passed")
            results.append("ok")
        except Exception as error:  # noqa: BLE001 - the test reports what each thread saw
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=release) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["ok", "ok"]  # the second finds it released already: nothing more to do
    assert Lot.objects.get(pk=lot.pk).status == LotStatus.AVAILABLE
    assert Signature.objects.filter(object_id=str(lot.pk)).count() == 1
