"""Reads of the telemetry store for charts and the API: a series of one tag over a range, raw
samples for short ranges and one-minute aggregates beyond, never more than `max_points` points;
the last values of an equipment; dead letters with their counts by reason."""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet

from mes.models import DeadLetter, TelemetryLatest, TelemetryMinute
from mes.models.telemetry import SAMPLE_TABLE

# Up to this range raw samples are read; beyond it the one-minute aggregates.
RAW_LIMIT = timedelta(hours=6)
MAX_POINTS = 2000


def telemetry_series(*, equipment, tag: str, start: datetime, end: datetime, max_points: int = MAX_POINTS) -> dict:
    """The points of `tag` on `equipment` in [start, end): `{"resolution": "raw"|"minute"|
    "<n>min", "points": [{"ts", "value"} or {"ts", "min", "max", "avg", "count"}]}`.

    Raw data for ranges up to RAW_LIMIT (the latest `max_points` of them when there are more);
    beyond, minute aggregates, merged into wider buckets when the range holds more minutes than
    `max_points`. Raw samples older than the raw retention are gone: the aggregates answer then.
    """
    if end - start <= RAW_LIMIT:
        points = _raw(equipment.pk, tag, start, end, max_points)
        if points:
            return {"resolution": "raw", "points": points}
    minutes = max(int((end - start).total_seconds() // 60), 1)
    bucket = max(-(-minutes // max_points), 1)
    rows = (
        TelemetryMinute.objects.filter(equipment=equipment, tag=tag, minute__gte=start, minute__lt=end)
        .order_by("minute")
        .values_list("minute", "count", "total", "minimum", "maximum")
    )
    points: list[dict] = []
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    current = None
    for minute, count, total, low, high in rows:
        slot = epoch + timedelta(minutes=((minute - epoch) // timedelta(minutes=1)) // bucket * bucket)
        if current is None or current["ts"] != slot:
            current = {"ts": slot, "min": low, "max": high, "total": 0.0, "count": 0}
            points.append(current)
        current["min"] = min(current["min"], low)
        current["max"] = max(current["max"], high)
        current["total"] += total
        current["count"] += count
    for point in points:
        point["avg"] = point.pop("total") / point["count"] if point["count"] else None
    return {"resolution": "minute" if bucket == 1 else f"{bucket}min", "points": points}


def _raw(equipment_id: int, tag: str, start: datetime, end: datetime, limit: int) -> list[dict]:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ts, value FROM (SELECT ts, value FROM {SAMPLE_TABLE} "  # noqa: S608 - a constant table name
            "WHERE equipment_id = %s AND tag = %s AND ts >= %s AND ts < %s ORDER BY ts DESC LIMIT %s) AS latest "
            "ORDER BY ts",
            [equipment_id, tag, adapt(start), adapt(end), limit],
        )
        rows = cursor.fetchall()
    convert = _ts_converter()
    return [{"ts": convert(ts), "value": value} for ts, value in rows]


def _ts_converter():
    if connection.vendor == "postgresql":
        return lambda ts: ts
    return lambda ts: datetime.fromisoformat(ts).replace(tzinfo=UTC) if isinstance(ts, str) else ts


def latest_values(*, equipment) -> QuerySet[TelemetryLatest]:
    return TelemetryLatest.objects.filter(equipment=equipment).order_by("tag")


def dead_letter_list(*, user) -> QuerySet[DeadLetter]:
    """The dead letters a user may read: those published under the topics of the user's sites;
    all of them (unknown sites and malformed topics too) for admins."""
    from core.models import Site
    from core.scoping import user_site_ids

    letters = DeadLetter.objects.order_by("-received_at", "-id")
    site_ids = user_site_ids(user)
    if site_ids is None:
        return letters
    scope = Q(pk__in=[])
    for code in Site.objects.filter(pk__in=site_ids).values_list("code", flat=True):
        scope |= Q(topic__startswith=f"mes/{code}/")
    return letters.filter(scope)


def dead_letter_counts(*, user) -> list[dict]:
    """[{"reason", "label", "count"}] over the dead letters the user may read, most frequent first."""
    from mes.models import DeadLetterReason

    labels = dict(DeadLetterReason.choices)
    rows = (
        dead_letter_list(user=user).order_by().values("reason").annotate(count=Count("id")).order_by("-count", "reason")
    )
    return [{"reason": r["reason"], "label": labels.get(r["reason"], r["reason"]), "count": r["count"]} for r in rows]
