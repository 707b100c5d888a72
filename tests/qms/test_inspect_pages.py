"""The QC station, the entry screen, the desk list and the terminal's banner, through Django's
client: the same services as the API, refusals answered 400 with the culprit box marked."""

import pytest

from mes.services import operations
from mes.services.production import report_production
from qms.models import InspectionTask, Measurement
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import production_plant, released_order
from tests.qms.factories import CharacteristicFactory, InspectionPlanFactory
from tests.qms.inspect_fixtures import PASSWORD, incoming_setup, receive
from wms.models import LotStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    setup = incoming_setup()
    receive(setup)
    setup.task = InspectionTask.objects.get()
    return setup


def entry(setup, **values):
    data = {f"v-{setup.bore.pk}-{j}": v for j, v in enumerate(values.get("bore", ()))}
    if "looks" in values:
        data[f"c-{setup.looks.pk}"] = values["looks"]
    return data


def test_station_lists_the_sites_open_tasks_and_a_scan_opens_one(setup, web_as):
    client = web_as(setup.inspector)
    page = client.get("/qms/station/")
    assert page.status_code == 200 and "SUP-1" in page.content.decode()
    scanned = client.get("/qms/station/", {"code": "SUP-1"})
    assert scanned.status_code == 302 and scanned.url == f"/qms/station/{setup.task.pk}/"
    assert client.get("/qms/station/", {"code": "NOPE-9"}).status_code == 400


def test_entry_screen_shows_limits_and_sample(setup, web_as):
    page = web_as(setup.inspector).get(f"/qms/station/{setup.task.pk}/").content.decode()
    assert 'data-lsl="73.950000"' in page and 'data-usl="74.050000"' in page
    assert page.count('name="v-') == 3 and "inspection.js" in page


def test_a_comma_answers_400_naming_the_characteristic_and_saves_nothing(setup, web_as):
    client = web_as(setup.inspector)
    response = client.post(f"/qms/station/{setup.task.pk}/", entry(setup, bore=["74.00", "74,01"], looks="0"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "BORE" in body and 'value="74,01"' in body and 'aria-invalid="true"' in body
    assert not Measurement.objects.exists()


def test_results_then_signed_accept_release_the_lot(setup, web_as):
    client = web_as(setup.inspector)
    response = client.post(f"/qms/station/{setup.task.pk}/", entry(setup, bore=["74.00", "74.06", "74.01"], looks="0"))
    assert response.status_code == 302
    assert Measurement.objects.filter(out_of_spec=True).count() == 1
    wrong = client.post(f"/qms/station/{setup.task.pk}/decide/", {"decision": "reject", "password": "x"})
    assert wrong.status_code == 400
    done = client.post(f"/qms/station/{setup.task.pk}/decide/", {"decision": "reject", "password": PASSWORD})
    assert done.status_code == 302
    setup.task.refresh_from_db()
    assert setup.task.status == "rejected" and setup.task.lot.status == LotStatus.REJECTED


def test_desk_list_filters_and_another_site_sees_nothing(setup, web_as):
    client = web_as(setup.inspector)
    page = client.get("/qms/inspections/", {"status": "open"})
    assert page.status_code == 200 and setup.task.number in page.content.decode()
    assert setup.task.number not in client.get("/qms/inspections/", {"status": "accepted"}).content.decode()
    client.logout()
    other = web_as(UserFactory(roles=["quality"], sites=[SiteFactory()]))
    assert setup.task.number not in other.get("/qms/inspections/").content.decode()
    assert other.get(f"/qms/station/{setup.task.pk}/").status_code == 404


def test_the_terminal_shows_a_banner_for_an_in_process_check_due_on_the_machine(web_as):
    plant = production_plant()
    plan = InspectionPlanFactory(
        item=plant.product,
        stage="in_process",
        sampling="fixed",
        sample_size=2,
        aql="",
        inspection_level="",
        every_units=5,
    )
    plan.characteristics.set(
        [CharacteristicFactory(item=plant.product, stage="in_process", code="OD", chart="imr", subgroup_size=1)]
    )
    order = released_order(plant)
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    client = web_as(plant.operator)
    assert "Quality check due" not in client.get(f"/mes/floor/{plant.lathe1.code}/").content.decode()
    report_production(operation=op, user=plant.operator, idempotency_key="b-1", good=5)
    task = InspectionTask.objects.get()
    page = client.get(f"/mes/floor/{plant.lathe1.code}/{op.pk}/").content.decode()
    assert "Quality check due" in page and f"/qms/station/{task.pk}/?back=terminal" in page
    screen = client.get(f"/qms/station/{task.pk}/?back=terminal")
    assert screen.status_code == 200 and "Sign the decision" not in screen.content.decode()  # operators record only
    assert (
        client.post(
            f"/qms/station/{task.pk}/?back=terminal", {f"v-{plan.characteristics.get().pk}-0": "1.5"}
        ).status_code
        == 302
    )
