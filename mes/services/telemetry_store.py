"""Upkeep of the telemetry store: daily partitions of the raw sample table created ahead and
dropped past `TELEMETRY_RETENTION_DAYS`, and the rows of the other telemetry tables that have
outlived theirs.

A partition holds one UTC day, `[day, day + 1)`, and is named `mes_telemetry_sample_pYYYYMMDD`.
Every day a message may carry (from the retention back to one day ahead) has its partition
beforehand; ingestion still creates a missing one on demand (`ensure_partitions`), under an
advisory lock so two ingest processes never race on the same name. Dropping a partition is a
catalogue operation: retention costs no DELETE and leaves no bloat.

On SQLite (the embedded default) the sample table is a plain table and retention deletes rows.
"""

import re
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

from mes.models import DeadLetter, IngestedMessage, TelemetryMinute
from mes.models.telemetry import SAMPLE_TABLE

PARTITION_NAME = re.compile(rf"^{SAMPLE_TABLE}_p(\d{{8}})$")
# pg_advisory_xact_lock key: "mes telemetry partitions".
PARTITION_LOCK = 7_140_001


def partition_name(day: date) -> str:
    return f"{SAMPLE_TABLE}_p{day:%Y%m%d}"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def existing_partitions(*, connection=None) -> dict[str, date]:
    """The partitions of the sample table: name → day (PostgreSQL only, else empty)."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [SAMPLE_TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        match = PARTITION_NAME.match(name)
        if match:
            found[name] = datetime.strptime(match.group(1), "%Y%m%d").date()
    return found


def ensure_partitions(days, *, connection=None) -> list[str]:
    """Create the partitions of `days` that do not exist yet; returns the names created."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return []
    days = sorted(set(days))
    if not days:
        return []
    created = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_LOCK])
        have = set(existing_partitions(connection=connection))
        for day in days:
            name = partition_name(day)
            if name in have:
                continue
            cursor.execute(
                f'CREATE TABLE "{name}" PARTITION OF {SAMPLE_TABLE} FOR VALUES FROM (%s) TO (%s)',
                [_day_start(day), _day_start(day + timedelta(days=1))],
            )
            created.append(name)
    return created


def create_partitions(*, connection=None, today: date | None = None) -> list[str]:
    """Every day a message may carry has its partition: from the retention back to
    `TELEMETRY_PARTITIONS_AHEAD` days ahead."""
    today = today or timezone.now().astimezone(UTC).date()
    back = settings.TELEMETRY_RETENTION_DAYS
    ahead = max(settings.TELEMETRY_PARTITIONS_AHEAD, 2)
    return ensure_partitions([today + timedelta(days=n) for n in range(-back, ahead + 1)], connection=connection)


def drop_expired_partitions(*, connection=None, today: date | None = None) -> list[str]:
    """Drop the partitions wholly older than the retention (PostgreSQL), or delete the expired
    rows (SQLite). Returns the partitions dropped."""
    connection = connection or default_connection
    today = today or timezone.now().astimezone(UTC).date()
    first_kept = today - timedelta(days=settings.TELEMETRY_RETENTION_DAYS)
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SAMPLE_TABLE} WHERE ts < %s", [_day_start(first_kept)])  # noqa: S608 - a constant
        return []
    dropped = []
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITION_LOCK])
        for name, day in sorted(existing_partitions(connection=connection).items(), key=lambda kv: kv[1]):
            if day < first_kept:
                cursor.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
    return dropped


def maintain_telemetry_store(*, today: date | None = None) -> dict:
    """The periodic upkeep: partitions ahead, expired partitions dropped, expired message keys,
    aggregates and dead letters deleted."""
    now = timezone.now()
    created = create_partitions(today=today)
    dropped = drop_expired_partitions(today=today)
    raw_cutoff = now - timedelta(days=settings.TELEMETRY_RETENTION_DAYS)
    # A message older than the retention is refused anyway, so its key is no longer needed.
    keys, _ = IngestedMessage.objects.filter(ts__lt=raw_cutoff).delete()
    dead, _ = DeadLetter.objects.filter(received_at__lt=raw_cutoff).delete()
    minutes, _ = TelemetryMinute.objects.filter(
        minute__lt=now - timedelta(days=settings.TELEMETRY_AGGREGATE_RETENTION_DAYS)
    ).delete()
    return {
        "created": created,
        "dropped": dropped,
        "message_keys_deleted": keys,
        "dead_letters_deleted": dead,
        "minutes_deleted": minutes,
    }
