"""The telemetry store: daily partitions created ahead and dropped past the retention, and the
telemetry API (raw or minute data by the range, site scoping, bad dates)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from core.periodic import load_jobs
from mes.models import DeadLetter, IngestedMessage, TelemetryMinute
from mes.services.ingest import Ingestor
from mes.services.telemetry_store import (
    create_partitions,
    drop_expired_partitions,
    existing_partitions,
    maintain_telemetry_store,
    partition_name,
)
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def machine():
    site = SiteFactory(code="TS1")
    work_centre = WorkCentreFactory(site=site, code="TS-WC", area=AreaFactory(site=site, code="TS-AR"))
    return EquipmentFactory(work_centre=work_centre, code="TS-EQ1")


def test_partitions_are_created_ahead_and_dropped_past_the_retention(settings):
    settings.TELEMETRY_RETENTION_DAYS = 5
    settings.TELEMETRY_PARTITIONS_AHEAD = 3
    future = datetime.now(UTC).date() + timedelta(days=40)
    created = create_partitions(today=future)
    names = existing_partitions()
    for offset in range(-5, 4):
        assert partition_name(future + timedelta(days=offset)) in names
    assert partition_name(future + timedelta(days=3)) in created
    # Run again: nothing new.
    assert create_partitions(today=future) == []
    dropped = drop_expired_partitions(today=future)
    remaining = existing_partitions()
    assert dropped and all(day >= future - timedelta(days=5) for day in remaining.values())
    assert partition_name(future - timedelta(days=6)) not in remaining


def test_the_upkeep_is_a_periodic_job_and_deletes_expired_keys(settings, machine):
    assert "mes.maintain_telemetry_store" in {job.name for job in load_jobs()}
    old = timezone.now() - timedelta(days=settings.TELEMETRY_RETENTION_DAYS + 1)
    IngestedMessage.objects.create(equipment=machine, msg_id="old", kind="telemetry", ts=old, received_at=old)
    DeadLetter.objects.create(topic="mes/x", payload=b"x", reason="malformed_json", received_at=old)
    result = maintain_telemetry_store()
    assert result["message_keys_deleted"] == 1 and result["dead_letters_deleted"] == 1


def _feed(machine, points):
    """Ingest telemetry directly (the broker path is tested in test_ingest)."""
    messages = [
        (
            f"mes/{machine.site.code}/{machine.code}/telemetry",
            json.dumps({"msg_id": f"p{n}", "ts": ts.isoformat(), "values": {"temp": value}}).encode(),
        )
        for n, (ts, value) in enumerate(points)
    ]
    return Ingestor().ingest(messages)


def test_the_api_answers_raw_points_for_short_ranges_and_minutes_for_long_ones(machine, api_as):
    now = timezone.now().replace(microsecond=0)
    start = now - timedelta(minutes=30)
    result = _feed(machine, [(start + timedelta(seconds=20 * n), 60.0 + n % 3) for n in range(60)])
    assert result.values == 60
    user = UserFactory(username="ts-viewer", roles=["supervisor"], sites=[machine.site])
    client = api_as(user)
    url = f"/api/v1/mes/equipment/{machine.code}/telemetry/"
    short = client.get(url, {"tag": "temp", "from": (now - timedelta(hours=1)).isoformat(), "to": now.isoformat()})
    assert short.status_code == 200, short.content
    assert short.data["resolution"] == "raw" and len(short.data["points"]) == 60
    assert short.data["points"][0]["value"] == 60.0
    long = client.get(url, {"tag": "temp", "from": (now - timedelta(days=3)).isoformat(), "to": now.isoformat()})
    assert long.data["resolution"] in {"minute", "3min"}
    assert sum(p["count"] for p in long.data["points"]) == 60
    assert TelemetryMinute.objects.filter(equipment=machine).count() >= 10


def test_the_api_refuses_bad_dates_and_hides_other_sites(machine, api_as):
    other = SiteFactory(code="TS2")
    stranger = UserFactory(username="ts-stranger", roles=["supervisor"], sites=[other])
    url = f"/api/v1/mes/equipment/{machine.code}/telemetry/"
    assert api_as(stranger).get(url, {"tag": "temp"}).status_code == 404
    user = UserFactory(username="ts-local", roles=["supervisor"], sites=[machine.site])
    client = api_as(user)
    bad = client.get(url, {"tag": "temp", "from": "last tuesday"})
    assert bad.status_code == 400 and "from" in json.dumps(bad.json())
    assert client.get(url, {"tag": "temp", "from": "2026-01-02T00:00:00"}).status_code == 400
    assert client.get(url, {}).status_code == 400
    backwards = client.get(url, {"tag": "temp", "from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"})
    assert backwards.status_code == 400
    assert client.get("/api/v1/mes/equipment/NOPE/telemetry/", {"tag": "t"}).status_code == 404


def test_the_dead_letter_page_counts_by_reason_and_shows_only_the_users_sites(machine, web_as):
    Ingestor().ingest(
        [
            (f"mes/{machine.site.code}/{machine.code}/telemetry", b"{oops"),
            (f"mes/{machine.site.code}/{machine.code}/telemetry", b"{oops again"),
            (f"mes/{machine.site.code}/{machine.code}/state", b'{"msg_id": "x", "ts": "2026-01-01T00:00:00Z"}'),
            ("mes/ELSEWHERE/EQ9/telemetry", b"{}"),
        ]
    )
    user = UserFactory(username="ts-super", roles=["supervisor"], sites=[machine.site])
    page = web_as(user).get("/mes/dead-letters/")
    assert page.status_code == 200
    counts = {row["reason"]: row["count"] for row in page.context["counts"]}
    assert counts == {"malformed_json": 2, "ts_beyond_retention": 1}
    assert b"ELSEWHERE" not in page.content
    only = web_as(user).get("/mes/dead-letters/", {"reason": "malformed_json"})
    assert len(only.context["page_obj"].object_list) == 2
