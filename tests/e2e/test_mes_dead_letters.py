"""A supervisor opens the dead letters of machine-data ingestion in Chromium, sees them counted by
reason, and narrows the list to one reason."""

import pytest

from core.roles import sync_roles
from mes.services.ingest import Ingestor
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ARTIFACTS_SIZES = [(1280, 800), (1920, 1080)]


@pytest.fixture
def supervisor():
    sync_roles()
    site = SiteFactory(code="P1", name="Plant one")
    work_centre = WorkCentreFactory(site=site, code="P1-CNC", area=AreaFactory(site=site, code="P1-MACH"))
    machine = EquipmentFactory(work_centre=work_centre, code="P1-CNC01")
    base = f"mes/{site.code}/{machine.code}"
    Ingestor().ingest(
        [
            (f"{base}/telemetry", b"{temperature: 71"),
            (f"{base}/telemetry", b'{"msg_id": "a1", "ts": "2026-12-01T08:00:00+01:00", "values": {"temp": "hot"}}'),
            (f"{base}/state", b'{"msg_id": "a2", "ts": "2026-12-01T08:00:00+01:00", "state": "broken"}'),
            (f"{base}/count", b'{"msg_id": "a3", "ts": "2026-12-01T08:00:00+01:00", "good": -2, "scrap": 0}'),
            (f"{base}/telemetry", b"\xff\xfe\x00"),
        ]
    )
    return UserFactory(username="super1", roles=["supervisor"], sites=[site])


def test_supervisor_reads_the_dead_letters_by_reason(page, login, supervisor):
    from tests.e2e.conftest import ARTIFACTS

    login(page, supervisor)
    page.goto("/mes/dead-letters/")
    counts = page.locator("table.list").first.inner_text()
    assert "Malformed JSON" in counts and "Non-numeric value" in counts and "Unknown state" in counts
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ARTIFACTS_SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"mes-dead-letters-{width}.png"), full_page=True)
    page.get_by_role("link", name="Negative count").click()
    page.wait_for_url("**/mes/dead-letters/?reason=negative_count")
    rows = page.locator("table.list").nth(1).locator("tbody tr")
    assert rows.count() == 1
    assert "mes/P1/P1-CNC01/count" in rows.first.inner_text()
