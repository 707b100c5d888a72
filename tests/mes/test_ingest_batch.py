"""One ingestion batch applied in process (no broker): the rows COPY receives, the one-minute
aggregates and last values computed on the way, the message keys, and the dead letters for
characters PostgreSQL cannot store."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from mes.models import DeadLetter, IngestedMessage, TelemetryLatest, TelemetryMinute, TelemetrySample
from mes.services.ingest import Ingestor
from tests.factories import SiteFactory
from tests.mes.factories import AreaFactory, EquipmentFactory, WorkCentreFactory
from tests.mes.ingest_helpers import unique

pytestmark = pytest.mark.django_db


@pytest.fixture
def machine():
    site = SiteFactory(code=unique("IB"))
    work_centre = WorkCentreFactory(site=site, code=unique("WC"), area=AreaFactory(site=site, code=unique("AR")))
    return EquipmentFactory(work_centre=work_centre, code=unique("EQ"))


def _message(machine, msg_id: str, ts: datetime, values: dict) -> tuple[str, bytes]:
    topic = f"mes/{machine.site.code}/{machine.code}/telemetry"
    return topic, json.dumps({"msg_id": msg_id, "ts": ts.isoformat(), "values": values}).encode()


def test_a_batch_stores_its_rows_aggregates_and_last_values_once(machine):
    minute = timezone.now().astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    odd_tag = "a\tb\\c"
    batch = [
        # Arrival order is not time order: the last value is the one of the latest instant.
        _message(machine, "m2", minute + timedelta(seconds=50), {"t": 4, odd_tag: 1.5}),
        _message(machine, "m1", minute + timedelta(seconds=10), {"t": 2.5}),
        # Another offset, the next minute in UTC.
        _message(
            machine, "m3", (minute + timedelta(seconds=70)).astimezone(timezone.get_fixed_timezone(330)), {"t": -1}
        ),
        _message(machine, "m1", minute + timedelta(seconds=20), {"t": 99}),
        _message(machine, "nul\u0000id", minute, {"t": 1}),
        _message(machine, "m4", minute, {"bad\u0000tag": 1}),
    ]
    result = Ingestor().ingest(batch)

    assert result.counts[("telemetry", "applied")] == 3
    assert result.counts[("telemetry", "duplicate")] == 1
    assert result.counts[("telemetry", "dead_letter")] == 2
    assert result.values == 4
    assert sorted(DeadLetter.objects.filter(topic__contains=machine.code).values_list("reason", "detail")) == [
        ("invalid_field", "msg_id: no NUL characters"),
        ("invalid_field", "tag: no NUL characters"),
    ]
    samples = TelemetrySample.objects.filter(equipment=machine)
    assert sorted(samples.values_list("tag", "value")) == [("a\tb\\c", 1.5), ("t", -1.0), ("t", 2.5), ("t", 4.0)]
    minutes = {
        (row.tag, row.minute): (row.count, row.total, row.minimum, row.maximum)
        for row in TelemetryMinute.objects.filter(equipment=machine)
    }
    assert minutes == {
        ("t", minute): (2, 6.5, 2.5, 4.0),
        (odd_tag, minute): (1, 1.5, 1.5, 1.5),
        ("t", minute + timedelta(minutes=1)): (1, -1.0, -1.0, -1.0),
    }
    latest = {row.tag: (row.ts, row.value) for row in TelemetryLatest.objects.filter(equipment=machine)}
    assert latest == {"t": (minute + timedelta(seconds=70), -1.0), odd_tag: (minute + timedelta(seconds=50), 1.5)}
    assert sorted(IngestedMessage.objects.filter(equipment=machine).values_list("msg_id", flat=True)) == [
        "m1",
        "m2",
        "m3",
    ]

    again = Ingestor().ingest(batch[:4])
    assert again.counts[("telemetry", "duplicate")] == 4
    assert again.values == 0
    assert samples.count() == 4
    assert TelemetryMinute.objects.get(equipment=machine, tag="t", minute=minute).count == 2


def test_the_last_value_never_goes_back_in_time_across_batches(machine):
    now = timezone.now().astimezone(UTC)
    Ingestor().ingest([_message(machine, "new", now, {"t": 2})])
    Ingestor().ingest([_message(machine, "old", now - timedelta(minutes=5), {"t": 1})])
    row = TelemetryLatest.objects.get(equipment=machine, tag="t")
    assert (row.ts, row.value) == (now, 2.0)
    assert TelemetrySample.objects.filter(equipment=machine).count() == 2


def test_rows_formatted_while_checking_are_used_only_when_every_message_is_new(machine):
    """`check(prepare=True)` formats the rows of every valid message; a redelivered one, or a
    repeat inside the batch, makes `apply` format them again for the new ones only."""
    minute = timezone.now().astimezone(UTC).replace(second=0, microsecond=0) - timedelta(minutes=10)
    ingestor = Ingestor()
    first = [
        _message(machine, "p1", minute, {"t": 1}),
        _message(machine, "p2", minute + timedelta(seconds=1), {"t": 2}),
    ]
    checked = ingestor.check(first, prepare=True)
    assert checked.rows is not None and checked.rows.values == 2
    assert ingestor.apply(checked).values == 2
    # p2 again (a redelivery), p3 twice (a repeat inside the batch): only p3's first copy is new.
    second = [
        _message(machine, "p2", minute + timedelta(seconds=1), {"t": 2}),
        _message(machine, "p3", minute + timedelta(seconds=2), {"t": 4}),
        _message(machine, "p3", minute + timedelta(seconds=3), {"t": 100}),
    ]
    checked = ingestor.check(second, prepare=True)
    assert checked.rows.values == 3
    result = ingestor.apply(checked)
    assert result.values == 1
    assert result.counts[("telemetry", "duplicate")] == 2
    # The same checked batch applied again (a retry after its commit was lost) doubles nothing.
    assert ingestor.apply(checked).values == 0
    assert sorted(TelemetrySample.objects.filter(equipment=machine).values_list("value", flat=True)) == [1, 2, 4]
    row = TelemetryMinute.objects.get(equipment=machine, tag="t")
    assert (row.count, row.total, row.minimum, row.maximum) == (3, 7, 1, 4)
    assert TelemetryLatest.objects.get(equipment=machine, tag="t").value == 4
