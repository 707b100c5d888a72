"""Quality holds fired twice at once, each request on its own thread and connection."""

import threading

import pytest
from django.db import connection

from qms.models import QualityHold
from qms.services.holds import place_hold
from tests.factories import UserFactory
from tests.mes.factories import PASSWORD, production_plant
from wms.models import Lot, LotStatus

pytestmark = pytest.mark.django_db(transaction=True)

HOLDS = "/api/v1/qms/holds/"


def post_in_parallel(user, requests) -> list[tuple[int, dict]]:
    from rest_framework.test import APIClient

    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def worker(index, path, body):
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(path, body, format="json")
            results[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, path, body)) for i, (path, body) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung (deadlock?)"
    assert all(r is not None for r in results), "a thread died without an answer"
    return results


@pytest.fixture
def plant():
    plant = production_plant()
    plant.quality = UserFactory(username="tquality", roles=["quality"], sites=[plant.site])
    return plant


LOT_HOLD = {"item": "T-SHAFT", "lot": "T-SH-1", "reason_code": "supplier", "reason": "Cracks"}


def test_two_holds_on_one_lot_at_once_make_one(plant):
    results = post_in_parallel(plant.quality, [(HOLDS, LOT_HOLD), (HOLDS, LOT_HOLD)])

    assert sorted(status for status, _ in results) == [201, 409]
    assert [body["code"] for status, body in results if status == 409] == ["already_held"]
    assert QualityHold.objects.filter(lot=plant.shaft_lot).count() == 1
    assert Lot.objects.get(pk=plant.shaft_lot.pk).status == LotStatus.ON_HOLD


def test_two_holds_on_one_piece_of_equipment_at_once_make_one(plant):
    body = {"equipment": "T-LATHE1", "reason_code": "calibration", "reason": "Probe drift"}
    results = post_in_parallel(plant.quality, [(HOLDS, body), (HOLDS, body)])
    assert sorted(status for status, _ in results) == [201, 409]
    assert QualityHold.objects.filter(equipment=plant.lathe1).count() == 1


def test_two_releases_at_once_release_once(plant):
    hold = place_hold(user=plant.quality, reason_code="other", reason="x", lot=plant.shaft_lot)
    url = f"{HOLDS}{hold.pk}/release/"
    body = {"password": PASSWORD, "note": "Re-tested"}

    results = post_in_parallel(plant.quality, [(url, body), (url, body)])

    assert sorted(status for status, _ in results) == [200, 409]
    hold.refresh_from_db()
    assert hold.status == "released"
    assert hold.history.filter(status="released").count() == 1
    assert Lot.objects.get(pk=plant.shaft_lot.pk).status == LotStatus.AVAILABLE


def test_a_hold_placed_beside_a_release_leaves_the_lot_as_the_holds_say(plant):
    hold = place_hold(user=plant.quality, reason_code="other", reason="x", lot=plant.shaft_lot)
    results = post_in_parallel(
        plant.quality,
        [(f"{HOLDS}{hold.pk}/release/", {"password": PASSWORD, "note": "ok"}), (HOLDS, LOT_HOLD)],
    )

    assert results[0][0] == 200 and results[1][0] in (201, 409)
    active = QualityHold.objects.filter(lot=plant.shaft_lot, status="active").count()
    status = Lot.objects.get(pk=plant.shaft_lot.pk).status
    assert (active, status) in ((1, LotStatus.ON_HOLD), (0, LotStatus.AVAILABLE))
    assert active == (1 if results[1][0] == 201 else 0)


def test_two_violations_naming_one_lot_at_once_hold_it_once(plant):
    from django.db import transaction

    from core.events import publish
    from tests.qms.factories import CharacteristicFactory

    characteristic = CharacteristicFactory(item=plant.shaft, hold_on_violation=True)
    payload = {
        "characteristic": characteristic.pk,
        "site": plant.site.code,
        "rules": [1],
        "subgroup": "S-1",
        "lots": [plant.shaft_lot.pk],
        "work_orders": [],
        "equipment": [],
        "measured_at": "2026-12-01T10:00:00+00:00",
    }
    barrier = threading.Barrier(2)
    errors = []

    def evaluate():
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                publish("qms.spc.violation", payload, site=plant.site)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=evaluate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    assert QualityHold.objects.filter(lot=plant.shaft_lot, characteristic=characteristic).count() == 1
    assert Lot.objects.get(pk=plant.shaft_lot.pk).status == LotStatus.ON_HOLD
