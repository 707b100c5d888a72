"""The SPC status board (page and API) and the chart API: colours, filters and site scoping."""

import pytest

from core.roles import sync_roles
from mes.models import Alert
from qms.models import SpcStatus
from qms.services import spc_monitor
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.mes.factories import EquipmentFactory, WorkCentreFactory
from tests.qms.factories import CharacteristicFactory
from tests.qms.spc_data import in_control, record

pytestmark = pytest.mark.django_db
STATUS = "/api/v1/qms/spc/status/"


@pytest.fixture
def board():
    """Three characteristics at QB1: capable (green), marginal (Cpk 1.0-1.33, amber), a point
    beyond the limits (red); and one at QB2, another site."""
    sync_roles()
    site, other = SiteFactory(code="QB1"), SiteFactory(code="QB2")
    machine = EquipmentFactory(work_centre=WorkCentreFactory(site=site, code="QB-WC"), code="QB-LATHE")
    item = ItemFactory(code="QB-SHAFT")
    made = {}
    # spec 74 ± 0.05: sigma 0.005 gives Cpk ~3.3; sigma 0.014 gives Cpk ~1.2
    for code, sigma in (("GREEN", 0.005), ("AMBER", 0.014), ("RED", 0.005)):
        characteristic = CharacteristicFactory(item=item, code=code, nelson_rules=[1])
        record(characteristic, site, in_control(40, sigma=sigma, seed=3), equipment=machine)
        made[code] = characteristic
    record(made["RED"], site, [[74.03] * 5], first=40, equipment=machine)
    elsewhere = CharacteristicFactory(item=item, code="OTHER")
    record(elsewhere, other, in_control(10))
    for characteristic in made.values():
        spc_monitor.evaluate_new(characteristic=characteristic, site=site)
    spc_monitor.evaluate_new(characteristic=elsewhere, site=other)
    quality = UserFactory(username="qb-quality", roles=["quality"], sites=[site])
    return {"site": site, "made": made, "elsewhere": elsewhere, "quality": quality, "machine": machine}


def _colours(rows):
    return {row["code"]: row["colour"] for row in rows}


def test_the_board_colours_each_characteristic(board, api_as):
    response = api_as(board["quality"]).get(STATUS)
    assert response.status_code == 200
    assert _colours(response.json()["results"]) == {"GREEN": "green", "AMBER": "amber", "RED": "red"}
    amber = next(r for r in response.json()["results"] if r["code"] == "AMBER")
    assert 1.0 <= amber["cpk"] < 1.33 and amber["reasons"] == ["cpk_marginal"]


def test_an_open_spc_alert_keeps_the_tile_red_until_resolved(board, api_as):
    status = SpcStatus.objects.get(characteristic=board["made"]["RED"])
    alert = Alert.objects.get(rule=status.alert_rule)
    # the chart itself now looks fine (say the limits were widened): the open alert still shows
    SpcStatus.objects.filter(pk=status.pk).update(colour="green", reasons=[])
    row = next(r for r in api_as(board["quality"]).get(STATUS).json()["results"] if r["code"] == "RED")
    assert row["colour"] == "red" and row["alert_open"]
    Alert.objects.filter(pk=alert.pk).update(status="resolved")
    row = next(r for r in api_as(board["quality"]).get(STATUS).json()["results"] if r["code"] == "RED")
    assert row["colour"] == "green"


def test_filters_and_scoping(board, api_as):
    client = api_as(board["quality"])
    assert _colours(client.get(STATUS, {"work_centre": "QB-WC"}).json()["results"]).keys() == {"GREEN", "AMBER", "RED"}
    assert client.get(STATUS, {"item": "NOPE"}).json()["count"] == 0
    assert client.get(STATUS, {"stage": "final"}).json()["count"] == 0
    assert client.get(STATUS, {"stage": "bogus"}).status_code == 400
    # another site's characteristic is not on the board, and its chart answers 404
    assert "OTHER" not in _colours(client.get(STATUS).json()["results"])
    assert client.get(f"/api/v1/qms/spc/{board['elsewhere'].pk}/", {"site": "QB2"}).status_code == 404


def test_the_chart_api_gives_points_violations_and_capability(board, api_as):
    client = api_as(board["quality"])
    red = board["made"]["RED"]
    response = client.get(f"/api/v1/qms/spc/{red.pk}/", {"site": "QB1"})
    assert response.status_code == 200
    data = response.json()
    assert data["chart"] == "xbar_r" and data["phase"] == 1 and len(data["points"]) == 41
    assert {"rule": 1, "subgroup": 41, "key": "S0040"}.items() <= data["violations"][-1].items()
    assert data["capability"]["cpk"] is not None and data["capability"]["normality"]["test"] == "anderson_darling"
    assert client.get(f"/api/v1/qms/spc/{red.pk}/").status_code == 400  # site required
    assert client.get(f"/api/v1/qms/spc/{red.pk}/", {"site": "QB1", "last": "x"}).status_code == 400


def test_limits_over_the_api(board, api_as):
    client = api_as(board["quality"])
    green = board["made"]["GREEN"]
    url = f"/api/v1/qms/spc/{green.pk}/limits/"
    body = {"site": "QB1", "first_subgroup": "S0000", "last_subgroup": "S0019", "password": "correct-horse-battery"}
    assert client.post(url, {**body, "first_subgroup": "NOPE"}, format="json").status_code == 400
    assert client.post(url, {**body, "password": "wrong"}, format="json").status_code in (400, 403)
    created = client.post(url, body, format="json")
    assert created.status_code == 201 and created.json()["baseline_subgroups"] == 20
    assert client.get(f"/api/v1/qms/spc/{green.pk}/", {"site": "QB1"}).json()["phase"] == 2
    operator = UserFactory(username="qb-operator", roles=["operator"], sites=[board["site"]])
    assert api_as(operator).post(url, body, format="json").status_code == 403


def test_the_board_and_chart_pages(board, web_as):
    client = web_as(board["quality"])
    page = client.get("/qms/spc/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-colour="red"' in html and 'data-colour="amber"' in html and "OTHER" not in html
    red = board["made"]["RED"]
    assert f"/qms/spc/{red.pk}/?site=QB1" in html
    chart = client.get(f"/qms/spc/{red.pk}/", {"site": "QB1"})
    assert chart.status_code == 200
    text = chart.content.decode()
    assert "chart-control-data" in text and "chart-histogram-data" in text and "S0040" in text
    posted = client.post(
        f"/qms/spc/{red.pk}/?site=QB1",
        {"first_subgroup": "S0000", "last_subgroup": "S0029", "password": "correct-horse-battery", "reason": "ok"},
    )
    assert posted.status_code == 302
    assert "Phase II" in client.get(f"/qms/spc/{red.pk}/", {"site": "QB1"}).content.decode()
    assert client.get(f"/qms/spc/{board['elsewhere'].pk}/", {"site": "QB2"}).status_code == 404
