"""A supervisor sets up an OPC UA endpoint in Chromium: fills in the endpoint form, adds a node
for a machine, and tests the connection against a real asyncua server, seeing the node's
current value."""

import pytest

from core.roles import sync_roles
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory
from tests.mes.opcua_helpers import plant_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SIZES = [(1280, 800), (1920, 1080)]


@pytest.fixture
def server():
    with plant_server({"Press1.Temperature": 71.25}) as running:
        yield running


@pytest.fixture
def supervisor():
    sync_roles()
    site = SiteFactory(code="P1", name="Plant one")
    work_centre = WorkCentreFactory(site=site, code="P1-PRS", area=AreaFactory(site=site, code="P1-PRESS"))
    EquipmentFactory(work_centre=work_centre, code="P1-PRESS01", name="Press 1")
    return UserFactory(username="super1", roles=["supervisor"], sites=[site])


def _shots(page, name):
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"mes-opcua-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_supervisor_sets_up_an_endpoint_and_tests_it(server, supervisor, page, login):
    login(page, supervisor)
    page.goto("/mes/opcua-endpoints/new/")
    page.select_option("main select[name=site]", label="P1 · Plant one")
    page.fill("input[name=code]", "P1-PRESSES")
    page.fill("input[name=name]", "Press hall server")
    page.fill("input[name=url]", server.url)
    page.fill("input[name=username]", "mes")
    page.fill("input[name=password]", "s3cret")
    page.fill("input[name=publishing_interval_ms]", "500")
    _shots(page, "endpoint-form")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/mes/opcua-endpoints/*/")
    assert "P1-PRESSES" in page.inner_text("h1")
    endpoint_url = page.url
    page.get_by_role("link", name="Add node").click()
    page.select_option("main select[name=endpoint]", label="P1-PRESSES · Press hall server")
    page.select_option("main select[name=equipment]", label="P1-PRESS01 · Press 1")
    page.fill("input[name=node_id]", server.node_id("Press1.Temperature"))
    page.fill("input[name=tag]", "temperature")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/mes/opcua-nodes/*/")
    assert "temperature" in page.inner_text("main")
    page.goto(endpoint_url)
    assert server.node_id("Press1.Temperature") in page.inner_text("main")
    _shots(page, "endpoint-detail")
    page.get_by_role("button", name="Test connection").click()
    page.wait_for_url("**/test/")
    text = page.inner_text("main")
    assert "The server is Running" in text and "71.25" in text
    _shots(page, "test")
    page.goto("/mes/opcua-endpoints/")
    assert "P1-PRESSES" in page.inner_text("main")
    _shots(page, "endpoint-list")
