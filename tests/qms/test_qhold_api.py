"""The quality holds API: list and filter, place, release with the signer's password."""

import pytest

from core.models import Event
from qms.models import QualityHold
from qms.services.holds import place_hold
from tests.factories import UserFactory
from tests.mes.factories import PASSWORD, production_plant, released_order
from wms.models import LotStatus

pytestmark = pytest.mark.django_db

HOLDS = "/api/v1/qms/holds/"


@pytest.fixture
def plant():
    plant = production_plant()
    plant.quality = UserFactory(username="tquality", roles=["quality"], sites=[plant.site])
    return plant


def test_place_a_hold_on_a_lot_by_its_codes_and_release_it_signed(plant, api_as):
    client = api_as(plant.quality)
    body = {"item": "T-SHAFT", "lot": "T-SH-1", "reason_code": "supplier", "reason": "Cracks on delivery"}

    placed = client.post(HOLDS, body, format="json")

    assert placed.status_code == 201, placed.json()
    hold = placed.json()
    assert (hold["target"], hold["item"], hold["lot"], hold["status"]) == ("lot", "T-SHAFT", "T-SH-1", "active")
    assert hold["site"] == "TS" and hold["placed_by"] == "tquality" and hold["id"]
    lot = client.get(f"/api/v1/wms/lots/{plant.shaft_lot.pk}/").json()
    assert lot["status"] == "on_hold"

    released = client.post(f"{HOLDS}{hold['id']}/release/", {"password": PASSWORD, "note": "Sorted"}, format="json")

    assert released.status_code == 200, released.json()
    assert released.json()["status"] == "released" and released.json()["released_by"] == "tquality"
    plant.shaft_lot.refresh_from_db()
    assert plant.shaft_lot.status == LotStatus.AVAILABLE


def test_equipment_and_work_orders_by_code_and_number(plant, api_as):
    client = api_as(plant.quality)
    order = released_order(plant)
    on_equipment = client.post(
        HOLDS, {"equipment": "T-LATHE1", "reason_code": "calibration", "reason": "Probe drift"}, format="json"
    )
    on_order = client.post(
        HOLDS, {"work_order": order.number, "reason_code": "nonconformance", "reason": "Burrs"}, format="json"
    )
    assert on_equipment.status_code == 201 and on_equipment.json()["equipment"] == "T-LATHE1"
    assert on_order.status_code == 201 and on_order.json()["work_order"] == order.number
    assert on_order.json()["item"] == "T-FG"
    wo = api_as(plant.supervisor).get(f"/api/v1/mes/work-orders/{order.number}/").json()
    assert wo["status"] == "on_hold"

    again = client.post(HOLDS, {"equipment": "T-LATHE1", "reason_code": "other", "reason": "x"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_held"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason_code": "other", "reason": "x"}, "target"),
        (
            {"equipment": "T-LATHE1", "lot": "T-SH-1", "item": "T-SHAFT", "reason_code": "other", "reason": "x"},
            "target",
        ),
        ({"lot": "T-SH-1", "reason_code": "other", "reason": "x"}, "item"),
        ({"lot": "NOPE", "item": "T-SHAFT", "reason_code": "other", "reason": "x"}, "lot"),
        ({"equipment": "NOPE", "reason_code": "other", "reason": "x"}, "equipment"),
        ({"work_order": "WO-NOPE", "reason_code": "other", "reason": "x"}, "work_order"),
        ({"equipment": "T-LATHE1", "reason_code": "bogus", "reason": "x"}, "reason_code"),
        ({"equipment": "T-LATHE1", "reason_code": "other", "reason": ""}, "reason"),
        ({"equipment": "T-LATHE1", "reason_code": "other", "reason": "x" * 301}, "reason"),
        ({"equipment": ["T-LATHE1"], "reason_code": "other", "reason": "x"}, "equipment"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(plant, api_as, body, field):
    response = api_as(plant.quality).post(HOLDS, body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not QualityHold.objects.exists()


def test_release_input_and_a_wrong_password(plant, api_as):
    client = api_as(plant.quality)
    hold = place_hold(user=plant.quality, reason_code="other", reason="x", lot=plant.shaft_lot)
    url = f"{HOLDS}{hold.pk}/release/"

    assert "note" in client.post(url, {"password": PASSWORD}, format="json").json()
    assert "password" in client.post(url, {"note": "ok"}, format="json").json()
    wrong = client.post(url, {"password": "nope", "note": "ok"}, format="json")

    assert wrong.status_code == 403 and wrong.json()["code"] == "signature_invalid"
    hold.refresh_from_db()
    assert hold.status == "active"
    # The refusal counts toward the account's lockout and is in the audit trail.
    assert Event.objects.filter(name="core.signature.failed", payload__user="tquality").count() == 1


def test_who_may_place_and_release_and_another_sites_hold_is_404(plant, api_as):
    hold = place_hold(user=plant.quality, reason_code="other", reason="x", lot=plant.shaft_lot)
    body = {"equipment": "T-LATHE1", "reason_code": "other", "reason": "x"}
    assert api_as(plant.operator).post(HOLDS, body, format="json").status_code == 403
    denied = api_as(plant.supervisor).post(
        f"{HOLDS}{hold.pk}/release/", {"password": PASSWORD, "note": "ok"}, format="json"
    )
    assert denied.status_code == 403

    other = production_plant(prefix="U")
    theirs = UserFactory(username="uquality", roles=["quality"], sites=[other.site])
    client = api_as(theirs)
    assert client.get(f"{HOLDS}{hold.pk}/").status_code == 404
    assert client.post(f"{HOLDS}{hold.pk}/release/", {"password": PASSWORD, "note": "ok"}).status_code == 404
    assert client.get(HOLDS).json()["count"] == 0
    assert client.post(HOLDS, body, format="json").status_code == 400  # T-LATHE1 is not theirs


def test_list_filters_on_codes(plant, api_as):
    client = api_as(plant.quality)
    place_hold(user=plant.quality, reason_code="supplier", reason="x", lot=plant.shaft_lot)
    eq = place_hold(user=plant.quality, reason_code="calibration", reason="y", equipment=plant.lathe2)
    client.post(f"{HOLDS}{eq.pk}/release/", {"password": PASSWORD, "note": "done"}, format="json")

    def numbers(query):
        return [row["number"] for row in client.get(HOLDS + query).json()["results"]]

    assert len(numbers("")) == 2
    assert numbers("?status=released") == [eq.number]
    assert numbers("?target=lot&item=T-SHAFT") == numbers("?lot=T-SH-1") != []
    assert numbers("?equipment=T-LATHE2&site=TS") == [eq.number]
    assert numbers("?reason_code=calibration") == [eq.number]
    assert client.get(HOLDS + "?status=bogus").status_code == 400


def test_a_characteristic_says_whether_a_violation_holds(plant, api_as):
    from tests.qms.factories import CharacteristicFactory

    characteristic = CharacteristicFactory(item=plant.shaft)
    client = api_as(UserFactory(username="tadmin", roles=["admin"], sites=[plant.site]))
    url = f"/api/v1/qms/characteristics/{characteristic.pk}/"
    assert client.get(url).json()["hold_on_violation"] is False
    changed = client.patch(url, {"hold_on_violation": True}, format="json")
    assert changed.status_code == 200, changed.json()
    characteristic.refresh_from_db()
    assert characteristic.hold_on_violation is True
