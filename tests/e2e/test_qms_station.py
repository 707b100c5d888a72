"""An inspector at the QC station on a 1280x800 tablet: scans the lot label, types the measured
values (a value out of specification is flagged as it is typed, a comma before it is sent), records
them and signs the decision the sampling plan suggests."""

import pytest

from qms.models import InspectionTask, Measurement
from tests.qms.inspect_fixtures import incoming_setup, receive
from wms.models import LotStatus

PASSWORD = "correct-horse-battery"


@pytest.fixture
def inspection(transactional_db):
    setup = incoming_setup()
    receive(setup)
    setup.task = InspectionTask.objects.get()
    return setup


def test_scan_enter_flagged_values_and_sign_the_rejection(inspection, page, login):
    login(page, inspection.inspector)
    page.goto("/qms/station/")
    page.fill("#id_code", "SUP-1")
    page.press("#id_code", "Enter")
    page.wait_for_url(f"**/qms/station/{inspection.task.pk}/")

    bore = inspection.bore.pk
    first = page.locator(f"#id_v-{bore}-0")
    first.fill("74.00")
    expect_flag(page, f"v-{bore}-0", "in-spec")
    page.fill(f"#id_v-{bore}-1", "74,01")
    expect_flag(page, f"v-{bore}-1", "invalid")
    page.fill(f"#id_v-{bore}-1", "74.09")
    expect_flag(page, f"v-{bore}-1", "oos")
    assert "OUT OF SPEC" in page.locator(f"#id_v-{bore}-1 ~ .insp-flag").inner_text()
    # the number pad writes into the box last touched
    page.click(f"#id_v-{bore}-2")
    for key in "74.01":
        page.click(f".floor-keypad button[data-key='{key}']")
    assert page.input_value(f"#id_v-{bore}-2") == "74.01"
    expect_flag(page, f"v-{bore}-2", "in-spec")
    page.fill(f"#id_c-{inspection.looks.pk}", "0")
    page.click("button:has-text('Record results')")
    page.wait_for_selector("text=Results recorded.")
    assert Measurement.objects.filter(inspection_task=inspection.task).count() == 4
    assert page.locator(".insp-decide .badge.bad").is_visible()  # the plan suggests: reject

    page.check("input[name=decision][value=reject]")
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign the decision')")
    page.wait_for_url("**/qms/station/")
    inspection.task.refresh_from_db()
    inspection.task.lot.refresh_from_db()
    assert inspection.task.status == "rejected" and inspection.task.lot.status == LotStatus.REJECTED


def expect_flag(page, name: str, state: str) -> None:
    page.wait_for_selector(f".insp-box.{state} #id_{name}")
