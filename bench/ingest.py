"""Machine-data ingestion, end to end: telemetry messages of 10 values published with QoS 1 to a
private Mosquitto by a separate process, ingested by `manage.py ingest_mqtt` into PostgreSQL.

Three figures, all in values per second, each timed until every row is committed:

- live: the ingest process runs while the publisher sends (publish start → last row);
- drain: a backlog queued at the broker while ingestion was stopped (its persistent session),
  from the moment the restarted process is subscribed → last row;
- copy: the limit, a raw `COPY` of the same rows, in batches of the same size, into a scratch
  table shaped like the sample table (same columns and index), measured before and after the
  ingestion runs (interleaved) and averaged.

    .venv/bin/python bench/ingest.py [--messages 20000] [--equipment 10] [--rounds 3] [--port 9160]
        [--processes 1]

Each round runs copy, live, drain, copy; the ratios are taken per round and their medians
reported (the machine is shared: only figures measured side by side compare).

Uses DATABASE_URL (migrated; bench rows go to a site BENCH-ING of their own) and
/usr/sbin/mosquitto. The last line is one JSON object.
"""

import argparse
import io
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

VALUES_PER_MESSAGE = 10
TAGS = [f"tag{n}" for n in range(VALUES_PER_MESSAGE)]
SITE = "BENCH-ING"
BATCH_VALUES = 5000


def _payloads(equipment: list[str], count: int, offset: int, start: datetime) -> list[tuple[str, bytes]]:
    messages = []
    for n in range(count):
        index = offset + n
        code = equipment[index % len(equipment)]
        ts = (start + timedelta(milliseconds=index)).isoformat()
        values = ",".join(f'"{tag}":{(index * 7 + k) % 1000 / 10}' for k, tag in enumerate(TAGS))
        body = f'{{"msg_id":"b{index}","ts":"{ts}","values":{{{values}}}}}'
        messages.append((f"mes/{SITE}/{code}/telemetry", body.encode()))
    return messages


def _publish(port: int, messages: list[tuple[str, bytes]], done) -> None:
    """The publisher process: QoS 1, many messages in flight, until every PUBACK is back."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"bench-pub-{os.getpid()}",
        protocol=mqtt.MQTTv5,
    )
    client.max_inflight_messages_set(500)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    # paho walks its whole outgoing queue on every acknowledgement: keep it short (at most 1,000
    # messages waiting), or the publisher, not ingestion, becomes what is measured.
    window = []
    for topic, payload in messages:
        window.append(client.publish(topic, payload, qos=1))
        if len(window) >= 1000:
            window[0].wait_for_publish(300)
            window = [info for info in window if not info.is_published()]
    for info in window:
        info.wait_for_publish(300)
    client.disconnect()
    client.loop_stop()
    done.set()


def _broker(port: int, workdir: Path) -> subprocess.Popen:
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 10000000\nmax_queued_bytes 0\nmax_inflight_messages 0\n"
    )
    process = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)], stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


def _ingest(port: int, metrics_port: int, processes: int = 1) -> list[subprocess.Popen]:
    """`processes` ingest processes on one shared subscription (client ids of their own)."""
    return [_ingest_one(port, metrics_port + n, f"bench-ingest-{n}" if n else "bench-ingest") for n in range(processes)]


def _stop(ingest: list[subprocess.Popen]) -> None:
    for process in ingest:
        process.send_signal(signal.SIGTERM)
    for process in ingest:
        process.wait(60)


def _ingest_one(port: int, metrics_port: int, client_id: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "ingest_mqtt",
            "--url",
            f"mqtt://127.0.0.1:{port}",
            "--client-id",
            client_id,
            "--topic",
            f"mes/{SITE}/+/+",
            "--group",
            "bench-ingest",
            "--metrics-port",
            str(metrics_port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _subscribed(*metrics_ports: int, timeout: float = 120) -> float:
    """The moment the first of these processes reports it is subscribed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for port in metrics_ports:
            try:
                text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
                if "mes_ingest_connected 1.0" in text:
                    return time.perf_counter()
            except OSError:
                pass
        time.sleep(0.01)
    raise SystemExit("the ingest process did not subscribe")


def _stored_values(cursor, equipment_ids) -> int:
    cursor.execute(
        "SELECT count(*) FROM mes_ingested_message WHERE equipment_id = ANY(%s) AND kind = 'telemetry'",
        [list(equipment_ids)],
    )
    return cursor.fetchone()[0] * VALUES_PER_MESSAGE


def _wait_stored(cursor, equipment_ids, target: int, timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _stored_values(cursor, equipment_ids) >= target:
            return time.perf_counter()
        time.sleep(0.02)
    raise SystemExit(f"only {_stored_values(cursor, equipment_ids)} of {target} values stored")


def _copy_rate(connection, rows_text: list[str]) -> float:
    """Values per second of COPY into a scratch table like the sample table, one commit per batch."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_scratch")
        cursor.execute(
            "CREATE TABLE bench_copy_scratch (equipment_id bigint NOT NULL, ts timestamptz NOT NULL, "
            "tag varchar(64) NOT NULL, value double precision NOT NULL)"
        )
        cursor.execute("CREATE INDEX ON bench_copy_scratch (equipment_id, tag, ts)")
    connection.commit()
    values = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for chunk in rows_text:
            cursor.copy_expert("COPY bench_copy_scratch (equipment_id, ts, tag, value) FROM STDIN", io.StringIO(chunk))
            connection.commit()
            values += chunk.count("\n")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy_scratch")
    connection.commit()
    return values / seconds


def _copy_text(messages, ids: dict[str, int]) -> list[str]:
    chunks, lines = [], []
    for topic, payload in messages:
        body = json.loads(payload)
        equipment_id = ids[topic.split("/")[2]]
        stamp = datetime.fromisoformat(body["ts"]).astimezone(UTC).isoformat()
        for tag, value in body["values"].items():
            lines.append(f"{equipment_id}\t{stamp}\t{tag}\t{float(value)!r}\n")
            if len(lines) == BATCH_VALUES:
                chunks.append("".join(lines))
                lines = []
    if lines:
        chunks.append("".join(lines))
    return chunks


def _setup_plant(count: int) -> dict[str, int]:
    import django

    django.setup()
    from django.utils import timezone

    from core.models import Company, Currency, Site
    from mes.models import Area, Equipment, EquipmentClass, WorkCentre

    currency, _ = Currency.objects.get_or_create(code="EUR", defaults={"name": "Euro"})
    company, _ = Company.objects.get_or_create(code="BENCH-CO", defaults={"name": "Bench", "base_currency": currency})
    site, _ = Site.objects.get_or_create(code=SITE, defaults={"name": "Ingest bench", "company": company})
    area, _ = Area.objects.get_or_create(code="BENCH-ING-AR", defaults={"site": site, "name": "Bench"})
    centre, _ = WorkCentre.objects.get_or_create(
        code="BENCH-ING-WC", defaults={"site": site, "area": area, "name": "Bench"}
    )
    kind, _ = EquipmentClass.objects.get_or_create(code="BENCH", defaults={"name": "Bench"})
    ids = {}
    for n in range(count):
        equipment, _ = Equipment.objects.get_or_create(
            code=f"BENCH-ING-{n:02d}",
            defaults={
                "site": site,
                "work_centre": centre,
                "name": f"Bench {n}",
                "equipment_class": kind,
                "state_since": timezone.now(),
            },
        )
        ids[equipment.code] = equipment.pk
    return ids


def _clear(connection, ids) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM mes_ingested_message WHERE equipment_id = ANY(%s)", [list(ids)])
        cursor.execute("DELETE FROM mes_telemetry_sample WHERE equipment_id = ANY(%s)", [list(ids)])
        cursor.execute("DELETE FROM mes_telemetry_minute WHERE equipment_id = ANY(%s)", [list(ids)])
    connection.commit()


def _round(args, raw, ids, context) -> dict:
    """One round: COPY, live, drain, COPY again; every figure until the rows are committed."""
    _clear(raw, ids.values())
    codes = list(ids)
    start = datetime.now(UTC) - timedelta(hours=1)
    live_messages = _payloads(codes, args.messages, 0, start)
    drain_messages = _payloads(codes, args.messages, args.messages, start)
    copy_chunks = _copy_text(drain_messages, ids)
    target_values = args.messages * VALUES_PER_MESSAGE
    ingest = None
    try:
        copy_before = _copy_rate(raw, copy_chunks)
        print(f"copy (before):  {copy_before:>12,.0f} values/s")

        # Live: ingestion runs while the publisher sends.
        ingest = _ingest(args.port, args.metrics_port, args.processes)
        for n in range(args.processes):
            _subscribed(args.metrics_port + n)
        done = context.Event()
        publisher = context.Process(target=_publish, args=(args.port, live_messages, done))
        began = time.perf_counter()
        publisher.start()
        with raw.cursor() as cursor:
            finished = _wait_stored(cursor, ids.values(), target_values)
        raw.commit()
        publisher.join(60)
        live = target_values / (finished - began)
        print(f"live:           {live:>12,.0f} values/s  ({args.messages:,} messages in {finished - began:.2f} s)")

        # Drain: stop ingestion, queue a backlog at the broker, start again.
        _stop(ingest)
        done = context.Event()
        publisher = context.Process(target=_publish, args=(args.port, drain_messages, done))
        published = time.perf_counter()
        publisher.start()
        publisher.join(600)
        published = args.messages / (time.perf_counter() - published)
        print(f"publisher alone: {published:>11,.0f} messages/s (process start included; bounds the live rate)")
        ingest = _ingest(args.port, args.metrics_port, args.processes)
        # From the first subscription: a process subscribed earlier drains its share meanwhile.
        subscribed = _subscribed(*range(args.metrics_port, args.metrics_port + args.processes))
        for n in range(args.processes):
            _subscribed(args.metrics_port + n)
        with raw.cursor() as cursor:
            finished = _wait_stored(cursor, ids.values(), 2 * target_values)
        raw.commit()
        drain = target_values / (finished - subscribed)
        print(
            f"drain:          {drain:>12,.0f} values/s  ({args.messages:,} queued messages in {finished - subscribed:.2f} s)"
        )

        copy_after = _copy_rate(raw, copy_chunks)
        print(f"copy (after):   {copy_after:>12,.0f} values/s")
    finally:
        if ingest is not None:
            _stop(ingest)
    with raw.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM mes_telemetry_sample WHERE equipment_id = ANY(%s)", [list(ids.values())])
        stored = cursor.fetchone()[0]
    raw.commit()
    _clear(raw, ids.values())
    copy = (copy_before + copy_after) / 2
    print(f"copy (mean):    {copy:>12,.0f} values/s")
    print(f"drain / copy:   {drain / copy:.2f}   live / copy: {live / copy:.2f}")
    print(f"rows stored:    {stored:,} of {2 * target_values:,}")
    return {
        "live": live,
        "drain": drain,
        "copy": copy,
        "published": published,
        "stored": stored,
        "expected": 2 * target_values,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20000, help="messages per phase (10 values each)")
    parser.add_argument("--equipment", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the medians are reported")
    parser.add_argument("--port", type=int, default=9160, help="the private broker's port")
    parser.add_argument("--metrics-port", type=int, default=9101, help="the first ingest process's metrics port")
    parser.add_argument(
        "--processes", type=int, default=1, help="ingest processes on the shared subscription (the next metrics ports)"
    )
    args = parser.parse_args()

    ids = _setup_plant(args.equipment)
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = False
    context = multiprocessing.get_context("spawn")
    rounds = []
    with tempfile.TemporaryDirectory() as workdir:
        broker = _broker(args.port, Path(workdir))
        try:
            for n in range(args.rounds):
                print(f"round {n + 1} of {args.rounds} (load average {os.getloadavg()[0]:.1f})")
                rounds.append(_round(args, raw, ids, context))
        finally:
            broker.terminate()
            broker.wait(10)
    drain_ratio = statistics.median(r["drain"] / r["copy"] for r in rounds)
    live_ratio = statistics.median(r["live"] / r["copy"] for r in rounds)
    drain = statistics.median(r["drain"] for r in rounds)
    live = statistics.median(r["live"] for r in rounds)
    copy = statistics.median(r["copy"] for r in rounds)
    load = os.getloadavg()
    print(f"medians of {len(rounds)} rounds: drain {drain:,.0f}, live {live:,.0f}, copy {copy:,.0f} values/s")
    print(f"drain / copy:   {drain_ratio:.2f}   (target >= 0.5; drain target >= 100,000 values/s)")
    print(f"live / copy:    {live_ratio:.2f}")
    print(f"load average:   {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "messages_per_phase": args.messages,
                "values_per_message": VALUES_PER_MESSAGE,
                "rounds": len(rounds),
                "ingest_processes": args.processes,
                "live_values_per_s": round(live),
                "drain_values_per_s": round(drain),
                "copy_values_per_s": round(copy),
                "drain_to_copy": round(drain_ratio, 3),
                "live_to_copy": round(live_ratio, 3),
                "per_round": [
                    {
                        "live": round(r["live"]),
                        "drain": round(r["drain"]),
                        "copy": round(r["copy"]),
                        "drain_to_copy": round(r["drain"] / r["copy"], 3),
                    }
                    for r in rounds
                ],
                "publisher_messages_per_s": round(statistics.median(r["published"] for r in rounds)),
                "rows_stored": sum(r["stored"] for r in rounds),
                "rows_expected": sum(r["expected"] for r in rounds),
                "load_average_1m": round(load[0], 2),
                "drain_target_values_per_s": 100000,
                "drain_target_ratio": 0.5,
            }
        )
    )


if __name__ == "__main__":
    main()
