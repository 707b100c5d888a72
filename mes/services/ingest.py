"""Machine-data ingestion: one batch of MQTT messages (topic, raw payload) checked and applied in
one transaction, per the contract in ARCHITECTURE.md ("Machine data over MQTT").

- A message with any invalid part is a dead letter, whole, with its reason; nothing of it is
  applied and the batch goes on.
- A message is applied at most once per (equipment, msg_id): its key goes into
  `mes_ingested_message` with `INSERT ... ON CONFLICT DO NOTHING RETURNING`, one statement for the
  batch, and only the keys that came back are applied.
- Telemetry values are appended with COPY (PostgreSQL) to the day-partitioned sample table; the
  one-minute aggregates and the last values are upserted once per batch; the shared counters
  are added to once per batch. Raw telemetry never touches the event or outbox tables: the
  batch is handed to in-process handlers with `core.events.signal("mes.telemetry", records)`.
- State messages go through `set_equipment_state` (the state history OEE reads, and its event
  for the dashboard); a state older than the equipment's current `state_since` is ignored.
- Count messages are booked through `report_production`, like an operator's report, by the
  machine-data user, with the idempotency key `mqtt:<equipment id>:<msg_id>`.

The caller (the MQTT loop, the simulator) acknowledges the messages only after `ingest` returns,
that is after the commit; a pipelined caller checks a batch (`check`) while the previous one is
applied (`apply`). Lock order inside the batch: message keys, minute and last-value rows
(each sorted by key), then per count message the work order and operation (the report's own
order), then per state message the equipment, then the counters (sorted).
"""

import io
import logging
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError
from core.events import signal
from core.models import Role, Site
from mes.models import (
    DeadLetter,
    DeadLetterReason,
    DowntimeReason,
    Equipment,
    EquipmentState,
    Operation,
    ScrapReason,
)
from mes.models.telemetry import SAMPLE_TABLE

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64 * 1024
MAX_MSG_ID = 64
MAX_TAG = 64
FUTURE_LIMIT = timedelta(days=1)
KINDS = ("telemetry", "state", "count")
RESULTS = ("applied", "duplicate", "dead_letter")
STATES = frozenset(EquipmentState.values)
TELEMETRY_SIGNAL = "mes.telemetry"

MACHINE_USERNAME = "machine-data"
# Scrap counted by a machine carries no reason; the report gets this one until someone classifies it.
MACHINE_SCRAP_REASON = "MACHINE-COUNT"

R = DeadLetterReason


class Rejected(Exception):
    """A message that is a dead letter: `reason` (a DeadLetterReason) and a short detail."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class Message:
    """One valid machine message, not yet known to be new."""

    index: int
    kind: str
    equipment_id: int
    site_id: int
    msg_id: str
    ts: datetime
    body: dict


@dataclass
class BatchResult:
    """What one batch did, per kind and result, plus the values stored and the dead letters."""

    counts: dict = field(default_factory=lambda: defaultdict(int))
    values: int = 0
    dead_letters: list = field(default_factory=list)
    lag_seconds: float | None = None

    def add(self, kind: str, result: str, n: int = 1) -> None:
        self.counts[(kind, result)] += n

    @property
    def messages(self) -> int:
        return sum(self.counts.values())


_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def _escape_copy(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _CopyRows:
    """The sample rows of a batch's new telemetry messages (in time order per equipment) as COPY
    text, made as PostgreSQL reads them (`read`), and on the way the one-minute aggregates and
    the last value of each tag: per value one line and one aggregate update, nothing else."""

    def __init__(self, messages: list[Message]):
        self._messages = messages
        self._pending = iter(messages)
        self.values = 0
        # (equipment_id, minute) → {tag: [count, total, minimum, maximum]}
        self._minutes: dict[tuple, dict[str, list]] = {}
        # equipment_id → ({tag: value}, {tag: ts})
        self._latest: dict[int, tuple[dict, dict]] = {}
        self._tags: dict[str, str] = {}
        self._prepared: io.StringIO | None = None

    def prepare(self) -> "_CopyRows":
        """Format every row (and the aggregates) now: `read` then only hands the text out. The
        MQTT pipeline does this while checking, beside the writer thread."""
        text = "".join(iter(lambda: self.read(65536), ""))
        self._prepared = io.StringIO(text)
        return self

    def covers(self, messages: list[Message]) -> bool:
        """Whether these rows are those of exactly `messages` (every checked one turned out new)."""
        return len(messages) == len(self._messages) and {id(m) for m in messages} == {id(m) for m in self._messages}

    def unread(self) -> bool:
        return self._prepared is not None and self._prepared.tell() == 0

    def days(self) -> set:
        return {m.ts.astimezone(UTC).date() for m in self._messages}

    def read(self, size: int = -1) -> str:
        if self._prepared is not None:
            return self._prepared.read(size)
        lines = []
        # About 45 characters a row: stop once `size` is reached.
        rows = size // 45 if size > 0 else math.inf
        minutes, latest, tags = self._minutes, self._latest, self._tags
        for message in self._pending:
            ts = message.ts.astimezone(UTC)
            equipment_id = message.equipment_id
            values = message.body["values"]
            key = (equipment_id, ts.replace(second=0, microsecond=0))
            bucket = minutes.get(key)
            if bucket is None:
                bucket = minutes[key] = {}
            prefix = f"{equipment_id}\t{ts.isoformat()}\t"
            for tag, value in values.items():
                value = float(value)
                text = tags.get(tag)
                if text is None:
                    text = tags[tag] = _escape_copy(tag) if _NEEDS_ESCAPE.search(tag) else tag
                lines.append(f"{prefix}{text}\t{value!r}\n")
                aggregate = bucket.get(tag)
                if aggregate is None:
                    bucket[tag] = [1, value, value, value]
                else:
                    aggregate[0] += 1
                    aggregate[1] += value
                    if value < aggregate[2]:
                        aggregate[2] = value
                    if value > aggregate[3]:
                        aggregate[3] = value
            last = latest.get(equipment_id)
            if last is None:
                last = latest[equipment_id] = ({}, {})
            last[0].update(values)
            last[1].update(dict.fromkeys(values, ts))
            self.values += len(values)
            if len(lines) >= rows:
                break
        return "".join(lines)

    def minute_rows(self) -> list[tuple]:
        """(equipment_id, tag, minute, count, total, minimum, maximum), sorted: the lock order."""
        return sorted(
            # A sum past the float range goes as text ("inf"): JSON has no infinity.
            (equipment_id, tag, minute, count, total if math.isfinite(total) else repr(total), minimum, maximum)
            for (equipment_id, minute), bucket in self._minutes.items()
            for tag, (count, total, minimum, maximum) in bucket.items()
        )

    def latest_rows(self) -> list[tuple]:
        """(equipment_id, tag, ts, value), sorted: the lock order."""
        return sorted(
            (equipment_id, tag, stamps[tag], float(value))
            for equipment_id, (values, stamps) in self._latest.items()
            for tag, value in values.items()
        )


@dataclass(slots=True)
class Checked:
    """A batch parsed and validated (`Ingestor.check`), ready to be applied (`Ingestor.apply`)."""

    messages: list
    now: datetime
    valid: list = field(default_factory=list)
    dead: list = field(default_factory=list)
    kinds_of_dead: list = field(default_factory=list)
    # The telemetry rows of every valid message, formatted ahead (`check(prepare=True)`).
    rows: "_CopyRows | None" = None


class Ingestor:
    """Checks and applies batches of machine messages. One per process: it caches the plant's
    codes, the known partitions and the machine-data user. `check` and `apply` may run in two
    threads at once (the MQTT pipeline): `check` only reads and reloads the plant's codes (each
    cache replaced whole), `apply` alone uses the rest."""

    def __init__(self):
        self._equipment: dict[tuple[str, str], tuple[int, int]] = {}
        self._sites: set[str] = set()
        self._reasons: dict[str, int] = {}
        self._loaded_at = -math.inf
        self._partitions: set = set()
        self._machine_user = None
        self._scrap_reason = None

    # --- reference data ------------------------------------------------------------------

    def _load_plant(self, *, force: bool = False) -> None:
        """(Re)read site and equipment codes; at most once a second when something is unknown."""
        now = time.monotonic()
        if not force and now - self._loaded_at < 1.0:
            return
        self._loaded_at = now
        self._sites = set(Site.objects.values_list("code", flat=True))
        self._equipment = {
            (site_code, code): (pk, site_id)
            for pk, code, site_id, site_code in Equipment.objects.filter(active=True).values_list(
                "pk", "code", "site_id", "site__code"
            )
        }
        self._reasons = dict(DowntimeReason.objects.filter(active=True).values_list("code", "pk"))

    def _resolve(self, site_code: str, equipment_code: str) -> tuple[int, int]:
        found = self._equipment.get((site_code, equipment_code))
        if found is None:
            self._load_plant()
            found = self._equipment.get((site_code, equipment_code))
        if found is None:
            if site_code not in self._sites:
                raise Rejected(R.UNKNOWN_SITE, site_code[:100])
            raise Rejected(R.UNKNOWN_EQUIPMENT, equipment_code[:100])
        return found

    def machine_user(self):
        """The user machine counts are reported by: `machine-data`, an operator who cannot sign
        in (no usable password, inactive), working at every site it books for."""
        if self._machine_user is None:
            from core.models import User

            user, created = User.objects.get_or_create(
                username=MACHINE_USERNAME,
                defaults={"is_active": False, "first_name": "Machine", "last_name": "data"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get_or_create(name=Role.OPERATOR)[0])
            self._machine_user = user
        return self._machine_user

    def _machine_user_at(self, site_id: int):
        user = self.machine_user()
        if site_id not in set(user.sites.values_list("id", flat=True)):
            user.sites.add(site_id)
        user._site_ids_cache = None
        return user

    def _machine_scrap_reason(self):
        if self._scrap_reason is None:
            self._scrap_reason, _ = ScrapReason.objects.get_or_create(
                code=MACHINE_SCRAP_REASON, defaults={"name": "Counted by the machine, not yet classified"}
            )
        return self._scrap_reason

    # --- checking ---------------------------------------------------------------------------

    def parse(self, topic: str, payload: bytes, *, index: int, now: datetime, oldest: datetime) -> Message:
        """The valid message, or `Rejected` with the first reason found."""
        if len(payload) > MAX_PAYLOAD_BYTES:
            raise Rejected(R.PAYLOAD_TOO_LARGE, f"{len(payload)} bytes")
        parts = topic.split("/")
        if len(parts) != 4 or parts[0] != "mes" or parts[3] not in KINDS or not parts[1] or not parts[2]:
            raise Rejected(R.INVALID_TOPIC, topic[:200])
        kind = parts[3]
        try:
            body = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            try:
                payload.decode("utf-8")
            except UnicodeDecodeError as decode_error:
                raise Rejected(R.NOT_UTF8, str(decode_error)[:200]) from None
            raise Rejected(R.MALFORMED_JSON, str(exc)[:200]) from None
        if not isinstance(body, dict):
            raise Rejected(R.NOT_AN_OBJECT, type(body).__name__)
        msg_id = body.get("msg_id")
        if msg_id is None:
            raise Rejected(R.MISSING_FIELD, "msg_id")
        if not isinstance(msg_id, str) or not msg_id or len(msg_id) > MAX_MSG_ID:
            raise Rejected(R.INVALID_FIELD, f"msg_id: a string of 1 to {MAX_MSG_ID} characters")
        if "\x00" in msg_id:
            raise Rejected(R.INVALID_FIELD, "msg_id: no NUL characters")
        raw_ts = body.get("ts")
        if raw_ts is None:
            raise Rejected(R.MISSING_FIELD, "ts")
        if not isinstance(raw_ts, str):
            raise Rejected(R.INVALID_FIELD, "ts: an ISO 8601 string")
        try:
            ts = datetime.fromisoformat(raw_ts)
        except ValueError:
            raise Rejected(R.INVALID_FIELD, f"ts: not ISO 8601: {raw_ts[:60]}") from None
        if ts.tzinfo is None:
            raise Rejected(R.INVALID_FIELD, "ts: give the UTC offset")
        if ts > now + FUTURE_LIMIT:
            raise Rejected(R.TS_IN_FUTURE, raw_ts[:60])
        if ts < oldest:
            raise Rejected(R.TS_BEYOND_RETENTION, raw_ts[:60])
        equipment_id, site_id = self._resolve(parts[1], parts[2])
        if kind == "telemetry":
            values = body.get("values")
            if values is None:
                raise Rejected(R.MISSING_FIELD, "values")
            if not isinstance(values, dict) or not values:
                raise Rejected(R.INVALID_FIELD, "values: a non-empty object")
            for tag, value in values.items():
                if type(value) is not float and type(value) is not int:
                    raise Rejected(R.NON_NUMERIC_VALUE, f"{tag[:64]}: {str(value)[:60]}")
                if not tag or len(tag) > MAX_TAG:
                    raise Rejected(R.INVALID_FIELD, f"tag: 1 to {MAX_TAG} characters")
                if "\x00" in tag:
                    raise Rejected(R.INVALID_FIELD, "tag: no NUL characters")
        elif kind == "state":
            state = body.get("state")
            if state is None:
                raise Rejected(R.MISSING_FIELD, "state")
            if not isinstance(state, str) or state not in STATES:
                raise Rejected(R.UNKNOWN_STATE, str(state)[:60])
            reason = body.get("reason")
            if reason is not None:
                if not isinstance(reason, str):
                    raise Rejected(R.INVALID_FIELD, "reason: a downtime reason code")
                if reason not in self._reasons:
                    self._load_plant()
                    if reason not in self._reasons:
                        raise Rejected(R.UNKNOWN_REASON, reason[:60])
        else:
            for name in ("good", "scrap"):
                number = body.get(name)
                if number is None:
                    raise Rejected(R.MISSING_FIELD, name)
                if type(number) is not int:
                    raise Rejected(R.INVALID_FIELD, f"{name}: a whole number")
                if number < 0:
                    raise Rejected(R.NEGATIVE_COUNT, f"{name}: {number}")
        return Message(index, kind, equipment_id, site_id, msg_id, ts, body)

    # --- applying ---------------------------------------------------------------------------

    def ingest(self, messages: list[tuple[str, bytes]], *, now: datetime | None = None, refused=()) -> BatchResult:
        """Check and apply one batch of (topic, payload) in one transaction; returns what it did.
        Only returns after the commit, so the caller may acknowledge every message then.
        `refused` holds (topic, payload, Rejected) a front end refused already (an OPC UA value
        with a bad status): they are dead letters of this batch like the ones found here."""
        return self.apply(self.check(messages, now=now, refused=refused))

    def check(
        self, messages: list[tuple[str, bytes]], *, now: datetime | None = None, refused=(), prepare: bool = False
    ) -> "Checked":
        """The first half of `ingest`: parse and validate the batch (no writes). A pipelined
        caller checks the next batch while the previous one is being applied; with `prepare`
        the COPY rows and aggregates of the valid telemetry are formatted here too, and used
        by `apply` when every one of those messages is new (else they are made again there)."""
        now = now or timezone.now()
        oldest = now - timedelta(days=settings.TELEMETRY_RETENTION_DAYS)
        checked = Checked(messages, now)
        valid, dead, kinds_of_dead = checked.valid, checked.dead, checked.kinds_of_dead
        if not self._equipment:
            self._load_plant(force=True)
        parse = self.parse
        for index, (topic, payload) in enumerate(messages):
            payload = bytes(payload)
            try:
                valid.append(parse(topic, payload, index=index, now=now, oldest=oldest))
            except Rejected as rejected:
                dead.append(self._dead_letter(topic, payload, rejected, now))
                kinds_of_dead.append(topic.rsplit("/", 1)[-1])
        for topic, payload, refusal in refused:
            dead.append(self._dead_letter(topic, bytes(payload), refusal, now))
            kinds_of_dead.append(topic.rsplit("/", 1)[-1])
        if prepare:
            telemetry = [m for m in valid if m.kind == "telemetry"]
            if telemetry:
                telemetry.sort(key=lambda m: (m.equipment_id, m.ts))
                checked.rows = _CopyRows(telemetry).prepare()
        return checked

    def apply(self, checked: "Checked") -> BatchResult:
        """The second half of `ingest`: apply a checked batch in one transaction. Returns after
        the commit. A batch that fails may be applied again (its dead letters are rebuilt)."""
        dead = [self._dead_letter_copy(letter) for letter in checked.dead]
        try:
            return self._apply(
                checked.messages,
                checked.valid,
                dead,
                list(checked.kinds_of_dead),
                checked.now,
                BatchResult(),
                prepared=checked.rows,
            )
        except Exception:
            # What this batch created (a partition, the machine user) is gone with its rollback.
            self._forget()
            raise

    def _forget(self) -> None:
        self._partitions = set()
        self._machine_user = None
        self._scrap_reason = None
        self._loaded_at = -math.inf

    def _apply(self, messages, valid, dead, kinds_of_dead, now, result, prepared=None) -> BatchResult:
        with transaction.atomic():
            new = self._claim(valid, now, result)
            telemetry = [m for m in new if m.kind == "telemetry"]
            if telemetry:
                self._write_telemetry(telemetry, result, prepared)
            for message in sorted((m for m in new if m.kind == "count"), key=lambda m: (m.equipment_id, m.ts)):
                self._apply_count(message, now, result, dead, kinds_of_dead, messages)
            for message in sorted((m for m in new if m.kind == "state"), key=lambda m: (m.equipment_id, m.ts)):
                self._apply_state(message)
                result.add("state", "applied")
            for kind in kinds_of_dead:
                if kind in KINDS:
                    result.add(kind, "dead_letter")
            if dead:
                DeadLetter.objects.bulk_create(dead)
            result.dead_letters = dead
            self._add_counters(result)
            if telemetry:
                telemetry.sort(key=lambda m: (m.equipment_id, m.ts))
                signal(
                    TELEMETRY_SIGNAL,
                    [
                        {
                            "equipment_id": m.equipment_id,
                            "site_id": m.site_id,
                            "ts": m.ts,
                            "values": {tag: float(v) for tag, v in m.body["values"].items()},
                        }
                        for m in telemetry
                    ],
                )
        if valid:
            result.lag_seconds = max((now - max(m.ts for m in valid)).total_seconds(), 0.0)
        return result

    @staticmethod
    def _dead_letter_copy(letter: DeadLetter) -> DeadLetter:
        """A fresh, unsaved dead letter like `letter` (a retried batch saves its own)."""
        return DeadLetter(
            topic=letter.topic,
            payload=letter.payload,
            reason=letter.reason,
            detail=letter.detail,
            received_at=letter.received_at,
        )

    @staticmethod
    def _dead_letter(topic: str, payload: bytes, rejected: Rejected, now: datetime) -> DeadLetter:
        logger.info("dead letter %s on %s: %s", rejected.reason, topic[:200], rejected.detail)
        return DeadLetter(
            topic=topic[:500], payload=payload, reason=rejected.reason, detail=rejected.detail[:500], received_at=now
        )

    def _claim(self, valid: list[Message], now: datetime, result: BatchResult) -> list[Message]:
        """Insert the keys of the valid messages; the ones that already existed (or repeat in
        this batch) are duplicates. Returns the new messages in arrival order."""
        first: dict[tuple[int, str], Message] = {}
        for message in valid:
            key = (message.equipment_id, message.msg_id)
            if key in first:
                result.add(message.kind, "duplicate")
            else:
                first[key] = message
        if not first:
            return []
        keys = sorted(first)
        inserted: set[tuple[int, str]] = set()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "INSERT INTO mes_ingested_message (equipment_id, msg_id, kind, ts, received_at) "
                    "SELECT (r->>0)::bigint, r->>1, r->>2, (r->>3)::timestamptz, %s "
                    "FROM json_array_elements(%s::json) AS r "
                    "ON CONFLICT (equipment_id, msg_id) DO NOTHING RETURNING equipment_id, msg_id",
                    [now, orjson.dumps([(*k, first[k].kind, first[k].ts) for k in keys]).decode()],
                )
                inserted = set(cursor.fetchall())
            else:
                adapt = connection.ops.adapt_datetimefield_value
                for key in keys:
                    cursor.execute(
                        "INSERT INTO mes_ingested_message (equipment_id, msg_id, kind, ts, received_at) "
                        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (equipment_id, msg_id) DO NOTHING",
                        [key[0], key[1], first[key].kind, adapt(first[key].ts), adapt(now)],
                    )
                    if cursor.rowcount == 1:
                        inserted.add(key)
        new = []
        for key, message in first.items():
            if key in inserted:
                new.append(message)
            else:
                result.add(message.kind, "duplicate")
        new.sort(key=lambda m: m.index)
        return new

    def _write_telemetry(self, telemetry: list[Message], result: BatchResult, prepared=None) -> None:
        """Append the values, then add to the one-minute aggregates and the last values: one row
        per (equipment, tag, minute) and per (equipment, tag) for the whole batch."""
        # In time order per equipment: the last value of a tag is then simply the last one seen
        # (the sort is stable, so of two values at the same instant the later arrival wins).
        telemetry = sorted(telemetry, key=lambda m: (m.equipment_id, m.ts))
        # Rows formatted while checking are used only if they are exactly these messages' (and
        # unread: a retried batch formats them again).
        if prepared is not None and prepared.covers(telemetry) and prepared.unread():
            rows = prepared
        else:
            rows = _CopyRows(telemetry)
        if connection.vendor == "postgresql":
            self._write_postgresql(rows)
        else:
            self._write_generic(rows)
        result.add("telemetry", "applied", len(telemetry))
        result.values += rows.values

    def _write_postgresql(self, rows: "_CopyRows") -> None:
        missing = rows.days() - self._partitions
        if missing:
            from mes.services.telemetry_store import ensure_partitions

            ensure_partitions(missing)
            self._partitions |= missing
        with connection.cursor() as cursor:
            # The rows are formatted while PostgreSQL reads them (the aggregates on the way).
            cursor.copy_expert(f"COPY {SAMPLE_TABLE} (equipment_id, ts, tag, value) FROM STDIN", rows, size=65536)
            minutes, latest = rows.minute_rows(), rows.latest_rows()
            # One statement for both upserts, their rows passed as JSON (one parameter each).
            cursor.execute(
                "WITH m AS (INSERT INTO mes_telemetry_minute "
                "(equipment_id, tag, minute, count, total, minimum, maximum) "
                "SELECT (r->>0)::bigint, r->>1, (r->>2)::timestamptz, (r->>3)::int, (r->>4)::float8, "
                "(r->>5)::float8, (r->>6)::float8 FROM json_array_elements(%s::json) AS r "
                "ON CONFLICT (equipment_id, tag, minute) DO UPDATE SET "
                "count = mes_telemetry_minute.count + EXCLUDED.count, "
                "total = mes_telemetry_minute.total + EXCLUDED.total, "
                "minimum = LEAST(mes_telemetry_minute.minimum, EXCLUDED.minimum), "
                "maximum = GREATEST(mes_telemetry_minute.maximum, EXCLUDED.maximum)) "
                "INSERT INTO mes_telemetry_latest (equipment_id, tag, ts, value) "
                "SELECT (r->>0)::bigint, r->>1, (r->>2)::timestamptz, (r->>3)::float8 "
                "FROM json_array_elements(%s::json) AS r "
                "ON CONFLICT (equipment_id, tag) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value "
                "WHERE mes_telemetry_latest.ts <= EXCLUDED.ts",
                [orjson.dumps(minutes).decode(), orjson.dumps(latest).decode()],
            )

    def _write_generic(self, rows: "_CopyRows") -> None:
        """The same writes with plain statements (SQLite, the embedded default)."""
        adapt = connection.ops.adapt_datetimefield_value
        samples = []
        for line in "".join(iter(lambda: rows.read(65536), "")).splitlines():
            equipment_id, stamp, tag, value = line.split("\t")
            samples.append((int(equipment_id), adapt(datetime.fromisoformat(stamp)), tag, float(value)))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {SAMPLE_TABLE} (equipment_id, ts, tag, value) VALUES (%s, %s, %s, %s)",  # noqa: S608 - a constant table name
                samples,
            )
            cursor.executemany(
                "INSERT INTO mes_telemetry_minute (equipment_id, tag, minute, count, total, minimum, maximum) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (equipment_id, tag, minute) DO UPDATE SET "
                "count = count + excluded.count, total = total + excluded.total, "
                "minimum = min(minimum, excluded.minimum), maximum = max(maximum, excluded.maximum)",
                [(e, tag, adapt(minute), *rest) for e, tag, minute, *rest in rows.minute_rows()],
            )
            cursor.executemany(
                "INSERT INTO mes_telemetry_latest (equipment_id, tag, ts, value) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (equipment_id, tag) DO UPDATE SET ts = excluded.ts, value = excluded.value "
                "WHERE ts <= excluded.ts",
                [(e, tag, adapt(ts), value) for e, tag, ts, value in rows.latest_rows()],
            )

    def _apply_state(self, message: Message) -> None:
        from mes.services.equipment import set_equipment_state

        equipment = Equipment.objects.select_for_update().get(pk=message.equipment_id)
        if message.ts < equipment.state_since:
            return
        reason_code = message.body.get("reason")
        # By code: the cache may have been reloaded (by the checking thread) since the check.
        reason = DowntimeReason.objects.get(code=reason_code) if reason_code else None
        set_equipment_state(equipment=equipment, state=message.body["state"], at=message.ts, reason=reason)

    def _apply_count(self, message: Message, now, result, dead, kinds_of_dead, messages) -> None:
        """Book the count to the operation running on the equipment at `ts`; a count nothing can
        take is a dead letter (its key is released with the savepoint)."""
        from mes.services.operations import REPORTABLE
        from mes.services.production import report_production

        good, scrap = message.body["good"], message.body["scrap"]
        topic, payload = messages[message.index]
        try:
            with transaction.atomic():
                if good or scrap:
                    operation = (
                        Operation.objects.filter(
                            equipment_id=message.equipment_id, status__in=REPORTABLE, started_at__lte=message.ts
                        )
                        .select_related("work_order")
                        .order_by("-started_at")
                        .first()
                    )
                    if operation is None:
                        raise Rejected(R.NO_RUNNING_OPERATION, f"at {message.ts.isoformat()}")
                    report_production(
                        operation=operation,
                        user=self._machine_user_at(message.site_id),
                        idempotency_key=f"mqtt:{message.equipment_id}:{message.msg_id}",
                        good=good,
                        scrap=scrap,
                        scrap_reason=self._machine_scrap_reason() if scrap else None,
                        note="MQTT",
                    )
        except Rejected as rejected:
            self._unclaim(message)
            dead.append(self._dead_letter(topic, bytes(payload), rejected, now))
            kinds_of_dead.append("count")
            return
        except DomainError as error:
            self._unclaim(message)
            detail = f"{getattr(error, 'code', '')}: {error}"[:500]
            dead.append(self._dead_letter(topic, bytes(payload), Rejected(R.REJECTED, detail), now))
            kinds_of_dead.append("count")
            return
        result.add("count", "applied")

    @staticmethod
    def _unclaim(message: Message) -> None:
        """A dead-lettered count keeps no key: the same msg_id may come again once it can be booked."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM mes_ingested_message WHERE equipment_id = %s AND msg_id = %s",
                [message.equipment_id, message.msg_id],
            )

    @staticmethod
    def _add_counters(result: BatchResult) -> None:
        """One statement adds this batch to the shared counters (keys sorted: a fixed lock order)."""
        increments = {f"messages:{kind}:{res}": n for (kind, res), n in result.counts.items() if n}
        if result.values:
            increments["values"] = result.values
        for letter in result.dead_letters:
            key = f"dead_letters:{letter.reason}"
            increments[key] = increments.get(key, 0) + 1
        if not increments:
            return
        keys = sorted(increments)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "INSERT INTO mes_ingest_counter (key, value) SELECT * FROM unnest(%s::text[], %s::bigint[]) "
                    "ON CONFLICT (key) DO UPDATE SET value = mes_ingest_counter.value + EXCLUDED.value",
                    [keys, [increments[k] for k in keys]],
                )
            else:
                cursor.execute(
                    "INSERT INTO mes_ingest_counter (key, value) VALUES "  # noqa: S608 - placeholders only
                    + ", ".join(["(%s, %s)"] * len(keys))
                    + " ON CONFLICT (key) DO UPDATE SET value = value + excluded.value",
                    [x for k in keys for x in (k, increments[k])],
                )
