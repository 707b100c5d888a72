"""The production API as outside systems use it (ARCHITECTURE.md contract)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mes.models import WorkOrder
from tests.factories import ItemFactory
from tests.mes.factories import production_plant, released_order

pytestmark = pytest.mark.django_db

API = "/api/v1/mes"


@pytest.fixture
def plant():
    return production_plant()


def _due():
    return (timezone.now() + timedelta(days=3)).isoformat()


def test_plant_resources_answer_with_codes(plant, api_as):
    client = api_as(plant.operator)
    centres = client.get(f"{API}/work-centres/").json()
    assert {c["code"] for c in centres["results"]} == {"T-MACH", "T-ASSY"}
    assert set(centres["results"][0]) >= {"id", "code", "site", "name"}
    machines = client.get(f"{API}/equipment/", {"work_centre": "T-MACH"}).json()["results"]
    assert {m["code"] for m in machines} == {"T-LATHE1", "T-LATHE2"}
    assert set(machines[0]) >= {"id", "code", "site", "work_centre", "state", "state_since"}
    assert machines[0]["work_centre"] == "T-MACH" and machines[0]["site"] == plant.site.code


def test_boms_and_routings_read_with_lines_and_operations(plant, api_as):
    client = api_as(plant.operator)
    boms = client.get(f"{API}/boms/", {"site": plant.site.code, "item": "T-FG", "status": "approved"}).json()
    bom = boms["results"][0]
    assert bom["version"] == 1 and bom["status"] == "approved"
    assert {"component": "T-SCREW", "quantity": "4.000000", "unit": "pcs"}.items() <= bom["lines"][1].items()
    routing = client.get(f"{API}/routings/", {"item": "T-FG"}).json()["results"][0]
    assert [op["sequence"] for op in routing["operations"]] == [10, 20, 30]
    assert set(routing["operations"][0]) >= {"sequence", "work_centre", "setup_minutes", "run_seconds_per_unit"}


def test_create_release_and_run_a_work_order(plant, api_as):
    planner = api_as(plant.planner)
    created = planner.post(
        f"{API}/work-orders/", {"site": plant.site.code, "item": "T-FG", "quantity": "10", "due": _due()}, format="json"
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert order["status"] == "draft" and order["number"].startswith("WO-") and order["quantity"] == "10.000000"
    assert len(order["operations"]) == 3

    released = planner.post(f"{API}/work-orders/{order['number']}/release/")
    assert released.status_code == 200 and released.json()["status"] == "released"
    again = planner.post(f"{API}/work-orders/{order['number']}/release/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"

    operator = api_as(plant.operator)
    ops = operator.get(f"{API}/operations/", {"work_order": order["number"]}).json()["results"]
    assert [(o["sequence"], o["status"]) for o in ops] == [(10, "ready"), (20, "pending"), (30, "pending")]
    assert set(ops[0]) >= {"id", "work_order", "sequence", "work_centre", "equipment", "status", "quantity", "good"}
    first = ops[0]["id"]
    wrong = operator.post(f"{API}/operations/{first}/start/", {"equipment": "T-PRESS1"}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "invalid_transition"
    early = operator.post(f"{API}/operations/{ops[1]['id']}/start/", {"equipment": "T-PRESS1"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    started = operator.post(f"{API}/operations/{first}/start/", {"equipment": "T-LATHE1"}, format="json")
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert started.json()["equipment"] == "T-LATHE1"

    body = {
        "operation": first,
        "good": "3",
        "scrap": "1",
        "scrap_reason": "DIM",
        "consumed": [{"item": "T-SHAFT", "lot": "T-SH-1", "bin": plant.wip.code, "quantity": "4"}],
        "idempotency_key": "api-1",
    }
    report = operator.post(f"{API}/production-reports/", body, format="json")
    assert report.status_code == 201, report.json()
    assert report.json()["good"] == "3.000000" and report.json()["consumed"][0]["lot"] == "T-SH-1"
    repeat = operator.post(f"{API}/production-reports/", body, format="json")
    assert repeat.status_code == 200 and repeat.json()["id"] == report.json()["id"]
    moves = operator.get("/api/v1/wms/moves/", {"kind": "issue", "reference": order["number"]}).json()
    assert moves["count"] == 1

    over = operator.post(
        f"{API}/production-reports/", {"operation": first, "good": "7", "idempotency_key": "api-2"}, format="json"
    )
    assert over.status_code == 409 and over.json()["code"] == "over_quantity"
    paused = operator.post(f"{API}/operations/{first}/pause/", {"reason": "JAM"}, format="json")
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert operator.post(f"{API}/operations/{first}/resume/").json()["status"] == "running"
    assert operator.post(f"{API}/operations/{first}/complete/").json()["status"] == "done"
    assert planner.get(f"{API}/work-orders/{order['number']}/").json()["status"] == "in_progress"


def test_an_item_without_definitions_is_a_400_naming_the_field(plant, api_as):
    ItemFactory(code="T-BARE")
    answer = api_as(plant.planner).post(
        f"{API}/work-orders/",
        {"site": plant.site.code, "item": "T-BARE", "quantity": "1", "due": _due()},
        format="json",
    )
    assert answer.status_code == 400 and "item" in answer.json()


@pytest.mark.parametrize(
    "body",
    [
        {"good": "1"},  # no idempotency key
        {"good": "abc", "idempotency_key": "x1"},
        {"good": "-1", "idempotency_key": "x2"},
        {"good": "1", "idempotency_key": "x" * 101},
        {"good": "1", "idempotency_key": "x3", "consumed": [{"item": "T-SHAFT", "bin": "NOPE", "quantity": "1"}]},
    ],
)
def test_malformed_reports_are_400_with_field_errors(plant, api_as, body):
    order = released_order(plant)
    answer = api_as(plant.operator).post(
        f"{API}/production-reports/", {"operation": order.operations.get(sequence=10).pk, **body}, format="json"
    )
    assert answer.status_code == 400, answer.json()


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        ("abc", "Incorrect type. Expected pk value, received str."),
        (True, "Incorrect type. Expected pk value, received bool."),
        ([1], "Incorrect type. Expected pk value, received list."),
        (999_999_999, 'Invalid pk "999999999" - object does not exist.'),
        (10**30, f'Invalid pk "{10**30}" - object does not exist.'),
    ],
)
def test_an_unknown_operation_is_a_400_on_the_operation_field(plant, api_as, operation, words):
    answer = api_as(plant.operator).post(
        f"{API}/production-reports/", {"operation": operation, "good": "1", "idempotency_key": "u-1"}, format="json"
    )
    assert answer.status_code == 400 and answer.json()["operation"] == [words]


def test_reports_need_the_model_permissions(plant, api_as):
    order = released_order(plant)
    first = order.operations.get(sequence=10).pk
    api_as(plant.operator).post(f"{API}/operations/{first}/start/", {"equipment": "T-LATHE1"}, format="json")
    planner = api_as(plant.planner)
    refused = planner.post(
        f"{API}/production-reports/", {"operation": first, "good": "1", "idempotency_key": "p-1"}, format="json"
    )
    assert refused.status_code == 403
    assert planner.get(f"{API}/production-reports/").json()["count"] == 0
    booked = api_as(plant.operator).post(
        f"{API}/production-reports/", {"operation": first, "good": "1", "idempotency_key": "p-1"}, format="json"
    )
    assert booked.status_code == 201 and booked.json()["operation"] == first
    assert planner.get(f"{API}/production-reports/").json()["count"] == 1


def test_a_held_lot_answers_lot_not_available(plant, api_as):
    from wms.services import lots

    order = released_order(plant)
    operator = api_as(plant.operator)
    first = order.operations.get(sequence=10).pk
    operator.post(f"{API}/operations/{first}/start/", {"equipment": "T-LATHE1"}, format="json")
    lots.hold_lot(lot=plant.shaft_lot, user=plant.supervisor, reason="suspect")
    answer = operator.post(
        f"{API}/production-reports/",
        {
            "operation": first,
            "good": "1",
            "consumed": [{"item": "T-SHAFT", "lot": "T-SH-1", "bin": plant.wip.code, "quantity": "1"}],
            "idempotency_key": "held-1",
        },
        format="json",
    )
    assert answer.status_code == 409 and answer.json()["code"] == "lot_not_available"


def test_another_sites_records_answer_404(plant, api_as):
    other = production_plant(prefix="U")
    order = released_order(other)
    client = api_as(plant.operator)
    assert client.get(f"{API}/work-orders/{order.number}/").status_code == 404
    assert client.post(f"{API}/work-orders/{order.number}/hold/").status_code in (403, 404)
    op = order.operations.get(sequence=10)
    assert client.get(f"{API}/operations/{op.pk}/").status_code == 404
    assert client.post(f"{API}/operations/{op.pk}/start/", {"equipment": "U-LATHE1"}, format="json").status_code == 404
    assert client.get(f"{API}/equipment/", {"code": "U-LATHE1"}).json()["count"] == 0
    answer = client.post(
        f"{API}/production-reports/", {"operation": op.pk, "good": "1", "idempotency_key": "o-1"}, format="json"
    )
    assert answer.status_code == 400 and "operation" in answer.json()
    WorkOrder.objects.get(pk=order.pk)


def test_dispatch_list_says_why(plant, api_as):
    urgent = released_order(plant, priority=1)
    later = released_order(plant, priority=5)
    client = api_as(plant.operator)
    lines = client.get(f"{API}/dispatch/", {"work_centre": "T-MACH"}).json()
    assert [line["operation"]["work_order"] for line in lines] == [urgent.number, later.number]
    assert lines[0]["startable"] and lines[0]["reason"] == "ready"
    assembly = client.get(f"{API}/dispatch/", {"work_centre": "T-ASSY"}).json()
    assert {line["reason"] for line in assembly} == {"waiting_previous"}


def test_a_new_bom_version_is_posted_then_approved_with_a_signature(plant, api_as):
    from tests.mes.factories import PASSWORD

    planner = api_as(plant.planner)
    body = {
        "site": plant.site.code,
        "item": "T-FG",
        "lines": [{"component": "T-SHAFT", "quantity": "1"}, {"component": "T-SCREW", "quantity": "6"}],
    }
    created = planner.post(f"{API}/boms/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 2 and created.json()["status"] == "draft"
    bom_id = created.json()["id"]
    wrong = planner.post(f"{API}/boms/{bom_id}/approve/", {"password": "nope"}, format="json")
    assert wrong.status_code == 403 and wrong.json()["code"] == "signature_invalid"
    approved = planner.post(f"{API}/boms/{bom_id}/approve/", {"password": PASSWORD}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    versions = planner.get(f"{API}/boms/", {"item": "T-FG"}).json()["results"]
    assert {(v["version"], v["status"]) for v in versions} == {(1, "obsolete"), (2, "approved")}
    again = planner.post(f"{API}/boms/{bom_id}/approve/", {"password": PASSWORD}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    operator = api_as(plant.operator).post(f"{API}/boms/", body, format="json")
    assert operator.status_code == 403


def test_a_reports_answer_is_what_was_stored_and_the_operation_counts_it(plant, api_as):
    order = released_order(plant)
    first = order.operations.get(sequence=10)
    operator = api_as(plant.operator)
    operator.post(f"{API}/operations/{first.pk}/start/", {"equipment": "T-LATHE1"}, format="json")
    body = {"operation": first.pk, "good": "2", "scrap": "1", "scrap_reason": plant.scrap_reason.code}
    booked = operator.post(f"{API}/production-reports/", {**body, "idempotency_key": "a-1"}, format="json")
    assert booked.status_code == 201
    stored = operator.get(f"{API}/production-reports/{booked.json()['id']}/").json()
    assert booked.json() == stored
    again = operator.post(f"{API}/production-reports/", {**body, "idempotency_key": "a-1"}, format="json")
    assert again.status_code == 200 and again.json() == stored
    operation = operator.get(f"{API}/operations/{first.pk}/").json()
    assert (operation["good"], operation["scrap"]) == ("2.000000", "1.000000")
