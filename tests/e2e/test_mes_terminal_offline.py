"""The operator terminal loses the network: the page comes from the service worker's cache, a
report made meanwhile waits in IndexedDB with its idempotency key, the screen says so, and once
the network is back the report is sent and applied exactly once."""

from decimal import Decimal

import pytest

from mes.models import OperationStatus, ProductionReport
from mes.services import operations
from tests.mes.factories import production_plant, released_order

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def running(transactional_db):
    plant = production_plant()
    plant.operator.badge_id = "B-7001"
    plant.operator.set_floor_pin("2468")
    plant.operator.save()
    order = released_order(plant, quantity="10")
    op = operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )
    return plant, op


def test_a_report_made_offline_is_sent_once_when_back(running, page):
    plant, op = running
    page.goto("/mes/floor/sign-in/")
    page.fill("#id_badge", "B-7001")
    page.fill("#id_pin", "2468")
    page.click("button[type=submit]")
    page.wait_for_url("**/mes/floor/**")
    job = f"/mes/floor/{plant.lathe1.code}/{op.pk}/"
    page.goto(job)
    # The service worker takes control; the next load puts the job screen in its cache.
    page.wait_for_function(
        "() => navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=15_000
    )
    page.reload()
    page.wait_for_selector("form[data-report]")

    page.context.set_offline(True)
    page.reload()  # served by the service worker
    page.wait_for_selector("form[data-report]")
    assert page.locator("[data-term-net]").is_visible()
    page.fill("#id_good", "2")
    page.click("form[data-report] button[type=submit]")
    page.wait_for_function(
        "() => document.querySelector('[data-term-waiting]').textContent.indexOf('1') !== -1", timeout=10_000
    )
    assert "offline" in page.locator("[data-term-net]").get_attribute("class")
    assert not ProductionReport.objects.filter(operation=op).exists()

    page.context.set_offline(False)
    page.wait_for_function("() => document.querySelector('[data-term-waiting]').textContent === ''", timeout=20_000)
    page.wait_for_function(
        "() => document.querySelector('[data-count-good]').textContent.trim() === '2'", timeout=10_000
    )
    # A second flush (the periodic one, or another tab) finds nothing left to send.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(1000)

    reports = ProductionReport.objects.filter(operation=op)
    assert reports.count() == 1
    op.refresh_from_db()
    assert op.good == Decimal("2") and op.status == OperationStatus.RUNNING
