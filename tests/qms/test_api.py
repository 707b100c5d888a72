"""The quality API: characteristics, inspection plans and their samples, SPC analysis."""

import json
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from qms.models import Characteristic, InspectionPlan
from tests.factories import ItemFactory, UnitFactory, UserFactory
from tests.qms.factories import CharacteristicFactory, InspectionPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quality(api_as):
    return api_as(UserFactory(roles=["quality"]))


@pytest.fixture
def operator(api_as):
    return api_as(UserFactory(roles=["operator"]))


@pytest.fixture
def item():
    return ItemFactory(code="RING-74")


def variable_payload(**overrides):
    UnitFactory(code="mm", name="millimetre", dimension="length")
    payload = {
        "item": "RING-74",
        "stage": "in_process",
        "code": "ID",
        "name": "Inside diameter",
        "kind": "variable",
        "nominal": "74.000",
        "lsl": "73.950",
        "usl": "74.050",
        "unit": "mm",
        "gauge": "Bore gauge BG-2",
        "chart": "xbar_r",
        "subgroup_size": 5,
        "nelson_rules": [1, 2, 5],
    }
    return payload | overrides


def test_quality_engineer_creates_a_variable_characteristic(quality, item):
    response = quality.post("/api/v1/qms/characteristics/", variable_payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["item"] == "RING-74" and body["unit"] == "mm" and body["lsl"] == "73.950000"
    assert body["nelson_rules"] == [1, 2, 5] and body["id"]
    listed = quality.get("/api/v1/qms/characteristics/?item=RING-74").json()
    assert listed["count"] == 1 and listed["results"][0]["code"] == "ID"


def test_attribute_characteristic_with_defect_types(quality, item):
    payload = {
        "item": "RING-74",
        "stage": "final",
        "code": "VIS",
        "name": "Visual",
        "kind": "attribute",
        "defect_types": ["scratch", "burr", "dent"],
        "chart": "p",
        "subgroup_size": 50,
    }
    response = quality.post("/api/v1/qms/characteristics/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["defect_types"] == ["scratch", "burr", "dent"]
    assert response.json()["nelson_rules"] == [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lsl": "74.100"}, "lsl"),
        ({"chart": "p"}, "chart"),
        ({"nominal": "80"}, "nominal"),
        ({"unit": None}, "unit"),
        ({"nelson_rules": [9]}, "nelson_rules"),
        ({"nelson_rules": []}, "nelson_rules"),
        ({"chart": "imr"}, "subgroup_size"),
        ({"item": "NOPE"}, "item"),
        ({"defect_types": ["scratch"]}, "defect_types"),
    ],
)
def test_characteristic_refusals_name_the_field(quality, item, overrides, field):
    response = quality.post("/api/v1/qms/characteristics/", variable_payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Characteristic.objects.exists()


def test_the_same_code_twice_for_an_item_and_stage_is_refused(quality, item):
    assert quality.post("/api/v1/qms/characteristics/", variable_payload(), format="json").status_code == 201
    again = quality.post("/api/v1/qms/characteristics/", variable_payload(), format="json")
    assert again.status_code == 400
    assert Characteristic.objects.count() == 1


def test_operator_reads_but_does_not_create(operator, item):
    CharacteristicFactory(item=item)
    assert operator.get("/api/v1/qms/characteristics/").json()["count"] == 1
    assert operator.post("/api/v1/qms/characteristics/", variable_payload(), format="json").status_code == 403


def test_anonymous_is_refused(api):
    assert api.get("/api/v1/qms/characteristics/").status_code in (401, 403)
    assert api.post("/api/v1/qms/spc/analyze/", {}, format="json").status_code in (401, 403)


def test_z14_plan_gives_the_sample_for_a_lot(quality, item):
    characteristic = CharacteristicFactory(item=item, stage="incoming")
    payload = {
        "code": "IP-RING",
        "name": "Incoming rings",
        "item": "RING-74",
        "stage": "incoming",
        "characteristics": [characteristic.pk],
        "sampling": "z14",
        "aql": "0.65",
        "inspection_level": "II",
    }
    response = quality.post("/api/v1/qms/plans/", payload, format="json")
    assert response.status_code == 201, response.json()
    sample = quality.get("/api/v1/qms/plans/IP-RING/sample/?lot_size=2000")
    assert sample.status_code == 200
    assert sample.json() == {"code_letter": "K", "sample_size": 125, "accept": 2, "reject": 3, "full_inspection": False}
    assert quality.get("/api/v1/qms/plans/IP-RING/sample/?lot_size=0").status_code == 400
    assert quality.get("/api/v1/qms/plans/IP-RING/sample/?lot_size=ten").status_code == 400


@pytest.mark.parametrize(
    ("fields", "lot_size", "expected"),
    [
        ({"sampling": "fixed", "sample_size": 10}, 500, (10, 0, 1, False)),
        ({"sampling": "fixed", "sample_size": 10}, 6, (6, 0, 1, True)),
        ({"sampling": "full"}, 37, (37, 0, 1, True)),
    ],
)
def test_fixed_and_full_sampling(quality, item, fields, lot_size, expected):
    plan = InspectionPlanFactory(item=item, aql="", inspection_level="", **fields)
    body = quality.get(f"/api/v1/qms/plans/{plan.code}/sample/?lot_size={lot_size}").json()
    assert (body["sample_size"], body["accept"], body["reject"], body["full_inspection"]) == expected


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sampling": "fixed"}, "sample_size"),
        ({"aql": ""}, "aql"),
        ({"inspection_level": ""}, "inspection_level"),
        ({"aql": "0.3"}, "aql"),
        ({"stage": "in_process"}, "every_units"),
        ({"every_minutes": 30}, "every_units"),
    ],
)
def test_plan_refusals_name_the_field(quality, item, overrides, field):
    payload = {
        "code": "IP-X",
        "name": "Plan",
        "item": "RING-74",
        "stage": "incoming",
        "sampling": "z14",
        "aql": "0.65",
        "inspection_level": "II",
    } | overrides
    response = quality.post("/api/v1/qms/plans/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not InspectionPlan.objects.exists()


def test_in_process_plan_with_a_frequency(quality, item):
    payload = {
        "code": "IP-RUN",
        "name": "Every 50 rings",
        "item": "RING-74",
        "stage": "in_process",
        "sampling": "fixed",
        "sample_size": 5,
        "every_units": 50,
    }
    assert quality.post("/api/v1/qms/plans/", payload, format="json").status_code == 201


def test_plan_characteristics_belong_to_its_item_and_stage(quality, item):
    other = CharacteristicFactory(stage="final")
    payload = {
        "code": "IP-BAD",
        "name": "Plan",
        "item": "RING-74",
        "stage": "incoming",
        "sampling": "full",
        "characteristics": [other.pk],
    }
    response = quality.post("/api/v1/qms/plans/", payload, format="json")
    assert response.status_code == 400 and "characteristics" in response.json()


# --- SPC analysis --------------------------------------------------------------------------------


def test_spc_analyze_answers_what_the_command_prints(quality, benchmarks_dir):
    path = benchmarks_dir / "spc" / "pistonrings.csv"
    rows = pd.read_csv(path).to_dict("records")
    body = {"chart": "xbar_r", "phase1": 25, "subgroup_size": 5, "lsl": 73.95, "usl": 74.05, "data": rows}
    response = quality.post("/api/v1/qms/spc/analyze/", body, format="json")
    assert response.status_code == 200, response.json()
    out = StringIO()
    call_command(
        "spc_analyze", str(path), "--chart", "xbar_r", "--phase1", "25", "--subgroup-size", "5",
        "--lsl", "73.95", "--usl", "74.05", "--json", stdout=out,
    )  # fmt: skip
    assert response.json() == json.loads(out.getvalue())


def test_spc_analyze_attribute_chart(quality, benchmarks_dir):
    rows = pd.read_csv(benchmarks_dir / "spc" / "dyedcloth.csv").to_dict("records")
    response = quality.post("/api/v1/qms/spc/analyze/", {"chart": "u", "data": rows}, format="json")
    assert response.status_code == 200
    assert response.json()["center"] == pytest.approx(1.423256, rel=1e-6)
    assert len(response.json()["ucl"]) == 10


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"chart": "xbar_r", "data": [{"subgroup": 1, "value": 2}, {"subgroup": 1, "value": "2,5"}]}, "data[1].value"),
        ({"chart": "xbar_r", "data": [{"subgroup": 1, "value": 2}, {"subgroup": 1}]}, "data[1].value"),
        ({"chart": "xbar_r", "data": [{"subgroup": 1, "value": 2}, {"subgroup": 2, "value": 3}]}, "data[0].subgroup"),
        ({"chart": "p", "data": [{"subgroup": 1, "count": 1, "size": 0}]}, "data[0].size"),
        ({"chart": "u", "data": [{"subgroup": 1, "count": 1, "size": 0}]}, "data[0].size"),
        (
            {"chart": "xbar_r", "lsl": 5, "usl": 1, "data": [{"subgroup": 1, "value": 2}, {"subgroup": 1, "value": 3}]},
            "lsl",
        ),
        ({"chart": "xbar", "data": [{"subgroup": 1, "value": 2}]}, "chart"),
        ({"chart": "imr", "data": []}, "data"),
        ({"chart": "imr"}, "data"),
    ],
)
def test_spc_analyze_bad_input_is_a_400_naming_the_field(quality, body, field):
    response = quality.post("/api/v1/qms/spc/analyze/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
