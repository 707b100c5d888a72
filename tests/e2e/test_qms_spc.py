"""A quality engineer at 1920x1080: opens the SPC board, taps the red characteristic, reads the
chart (zones, the rule-1 point marked, capability), and fixes phase II limits with a signature."""

import pytest

from core.roles import sync_roles
from qms.models import ControlLimits
from qms.services import spc_monitor
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import EquipmentFactory, WorkCentreFactory
from tests.qms.factories import CharacteristicFactory
from tests.qms.spc_data import in_control, record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def line():
    sync_roles()
    site = SiteFactory(code="QE1")
    machine = EquipmentFactory(work_centre=WorkCentreFactory(site=site, code="QE-WC"), code="QE-LATHE")
    characteristic = CharacteristicFactory(code="BORE", name="Bore diameter", nelson_rules=[1])
    record(characteristic, site, in_control(30), equipment=machine)
    record(characteristic, site, [[74.03] * 5], first=30, equipment=machine)
    spc_monitor.evaluate_new(characteristic=characteristic, site=site)
    quality = UserFactory(username="qe-e2e", roles=["quality"], sites=[site])
    return {"site": site, "characteristic": characteristic, "quality": quality}


def test_quality_reads_the_chart_and_sets_limits(line, page, login):
    page.set_viewport_size({"width": 1920, "height": 1080})
    login(page, line["quality"])
    page.goto("/qms/spc/")
    tile = page.locator(".spc-tile.spc-red", has_text="BORE")
    assert "a point beyond the control limits" in tile.inner_text()
    tile.locator("a").click()
    page.wait_for_load_state()
    page.wait_for_selector("#control-chart .main-svg")
    # zones, limits, points and the marked violation are drawn
    legend = page.inner_text("#control-chart")
    for name in ("±3σ", "UCL", "LCL", "Rule broken"):
        assert name in legend
    assert page.locator("#capability .main-svg").count() >= 1
    assert "Cpk" in page.inner_text("#capability")
    assert "One point beyond 3 sigma" in page.inner_text("#violations")

    page.fill("input[name=last_subgroup]", "S0029")
    page.fill("input[name=password]", "correct-horse-battery")
    page.fill("input[name=reason]", "Process qualified")
    page.get_by_role("button", name="Sign and set limits").click()
    page.wait_for_load_state()
    assert "Phase II limits set from the baseline." in page.inner_text(".messages")
    assert "Phase II: limits set by qe-e2e" in page.inner_text("main")
    assert ControlLimits.objects.get(active=True).baseline_last == "S0029"
