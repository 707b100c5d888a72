"""The supervisor watches the production dashboard while a line's gateway posts a report through
the API: the machine's tile shows the new count without a reload (pushed, not polled). Runs on
daphne (websockets) like the approvals journey."""

import json
import time
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from mes.services import operations
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.test_approvals import asgi_url  # noqa: F401  (the daphne fixture)
from tests.mes.factories import production_plant, released_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def line(transactional_db):
    plant = production_plant(prefix="E")
    order = released_order(plant, quantity="10")
    plant.op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    plant.token = Token.objects.create(user=plant.operator).key
    return plant


def _post_report(base, token, operation, good):
    body = json.dumps({"operation": operation, "good": str(good), "idempotency_key": f"e2e-{good}"}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/mes/production-reports/",
        data=body,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return answer.status


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (390, 844)])
def test_a_tile_changes_live_after_a_report_posted_through_the_api(line, asgi_url, browser, login, width, height):  # noqa: F811
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=asgi_url, locale="en-US")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, line.supervisor)
    assert page.url.endswith("/mes/dashboard/")
    count = page.locator("#tile-E-LATHE1 [data-count]")
    assert count.inner_text() == "0 / 10"
    time.sleep(1.0)  # the page's websocket subscribes after load

    assert _post_report(asgi_url, line.token, line.op.pk, 3) == 201

    page.locator("#tile-E-LATHE1 [data-count]").filter(has_text="3 / 10").wait_for()
    assert page.locator("#tile-E-LATHE1").get_attribute("data-state") == "running"
    assert page.locator("#tile-E-LATHE1 progress").get_attribute("value") == "3.000000"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"mes-dashboard-{width}.png"), full_page=True)
    context.close()
