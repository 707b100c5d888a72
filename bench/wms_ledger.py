"""Stock transfers per second through the ledger service (`post_move`) beside the raw SQL that
does the same essential writes, on the same schema and data, 1 and 2 threads, interleaved.

Each transfer moves one piece of a lot from its home bin to a partner bin (both stock rows exist,
as they do for most moves in a running plant). The raw baseline is psycopg2 with the statements a
transfer cannot do without: lock the two bins, lock the two stock rows, two updates, the move and
the event (8 statements). The service also checks the lot, what pick lists hold, zone rules and
site access, and writes its outbox rows. Runs alternate service/raw in rounds so both see the
same machine load; the ratio is service rate / raw rate of each round, median over the rounds.
Each thread has its own database connection. Prints figures, then one JSON line.

    python bench/wms_ledger.py [SECONDS_PER_RUN] [--rounds 3] [--threads 1,2] [--rebuild]
"""

import argparse
import json
import random
import statistics
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _wms_data

PAIRS = 20_000


def prepare_pairs(ids: dict) -> list[dict]:
    """Lots with a home bin (opening stock) and a partner bin whose stock row exists."""
    from django.db import connection

    from wms.models import StockQuant

    rng = random.Random(7)
    homes = list(
        StockQuant.objects.filter(site=ids["site"], quantity__gte=100)
        .order_by("lot_id", "-quantity")
        .distinct("lot_id")
        .values_list("lot_id", "item_id", "bin_id", "lot__code")[:PAIRS]
    )
    bin_ids = ids["bin_ids"]
    pairs = []
    for lot_id, item_id, home, code in homes:
        partner = bin_ids[rng.randrange(len(bin_ids))]
        if partner != home:
            pairs.append({"lot": lot_id, "item": item_id, "home": home, "partner": partner, "code": code})
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO wms_stockquant (site_id, item_id, bin_id, lot_id, quantity, updated_at) "
            "VALUES (%s, %s, %s, %s, 0, now()) ON CONFLICT (item_id, bin_id, lot_id) WHERE lot_id IS NOT NULL "
            "DO NOTHING",
            [(ids["site"].pk, p["item"], p["partner"], p["lot"]) for p in pairs],
        )
    return pairs


def service_worker(ids, pairs, items, bins, seed, deadline, barrier, out):
    from django.db import connection

    from wms.models import Lot
    from wms.services.ledger import post_move

    rng = random.Random(seed)
    user = ids["user"]
    done = 0
    try:
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            pair = pairs[rng.randrange(len(pairs))]
            item = items[pair["item"]]
            lot = Lot(pk=pair["lot"], item=item, code=pair["code"], site_id=ids["site"].pk)
            post_move(
                kind="transfer",
                item=item,
                lot=lot,
                quantity=Decimal(1),
                from_bin=bins[pair["home"]],
                to_bin=bins[pair["partner"]],
                user=user,
                reference="bench",
            )
            done += 1
    finally:
        connection.close()
        out.append(done)


RAW_MOVE = (
    "INSERT INTO wms_stockmove (kind, site_id, item_id, lot_id, from_bin_id, to_bin_id, quantity, "
    "entered_quantity, entered_unit_id, reference, reason, user_id, created_at) "
    "VALUES ('transfer', %s, %s, %s, %s, %s, 1, 1, %s, 'bench-raw', '', %s, now()) RETURNING id"
)
RAW_EVENT = (
    "INSERT INTO core_event (id, name, payload, site_id, occurred_at) VALUES (%s, 'wms.stock.moved', %s, %s, now())"
)


def raw_worker(ids, pairs, unit_id, seed, deadline, barrier, out):
    import psycopg2

    rng = random.Random(seed)
    site_id, user_id = ids["site"].pk, ids["user"].pk
    conn = psycopg2.connect(_wms_data.BENCH_DB_URL)
    done = 0
    try:
        barrier.wait()
        with conn.cursor() as cur:
            while time.perf_counter() < deadline[0]:
                pair = pairs[rng.randrange(len(pairs))]
                a, b = pair["home"], pair["partner"]
                low, high = sorted((a, b))
                cur.execute("SELECT id FROM wms_bin WHERE id = %s FOR NO KEY UPDATE", [low])
                cur.execute("SELECT id FROM wms_bin WHERE id = %s FOR NO KEY UPDATE", [high])
                rows = {}
                for bin_id in (low, high):
                    cur.execute(
                        "SELECT id, quantity FROM wms_stockquant WHERE item_id = %s AND bin_id = %s AND lot_id = %s "
                        "FOR UPDATE",
                        [pair["item"], bin_id, pair["lot"]],
                    )
                    rows[bin_id] = cur.fetchone()
                cur.execute(
                    "UPDATE wms_stockquant SET quantity = quantity - 1, updated_at = now() WHERE id = %s", [rows[a][0]]
                )
                cur.execute(
                    "UPDATE wms_stockquant SET quantity = quantity + 1, updated_at = now() WHERE id = %s", [rows[b][0]]
                )
                cur.execute(RAW_MOVE, [site_id, pair["item"], pair["lot"], a, b, unit_id, user_id])
                move_id = cur.fetchone()[0]
                payload = json.dumps({"move": move_id, "kind": "transfer", "quantity": "1"})
                cur.execute(RAW_EVENT, [str(uuid.uuid4()), payload, site_id])
                conn.commit()
                done += 1
    finally:
        conn.close()
        out.append(done)


def timed(target, threads: int, seconds: float, make_args) -> float:
    """Run `threads` workers for `seconds`; moves per second."""
    out: list[int] = []
    deadline = [0.0]
    barrier = threading.Barrier(threads + 1)
    workers = [threading.Thread(target=target, args=(*make_args(i), deadline, barrier, out)) for i in range(threads)]
    for worker in workers:
        worker.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for worker in workers:
        worker.join()
    return sum(out) / (time.perf_counter() - started)


def statements_per_transfer(ids, pairs, items, bins) -> int:
    """Statements the service sends for one transfer (transaction control included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wms.models import Lot
    from wms.services.ledger import post_move

    pair = pairs[0]
    item = items[pair["item"]]
    post_move(  # warm caches (webhooks, the user's sites) as a running process has them
        kind="transfer",
        item=item,
        lot=Lot(pk=pair["lot"], item=item, code=pair["code"], site_id=ids["site"].pk),
        quantity=Decimal(1),
        from_bin=bins[pair["home"]],
        to_bin=bins[pair["partner"]],
        user=ids["user"],
    )
    with CaptureQueriesContext(connection) as captured:
        post_move(
            kind="transfer",
            item=item,
            lot=Lot(pk=pair["lot"], item=item, code=pair["code"], site_id=ids["site"].pk),
            quantity=Decimal(1),
            from_bin=bins[pair["home"]],
            to_bin=bins[pair["partner"]],
            user=ids["user"],
        )
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seconds", nargs="?", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    options = parser.parse_args()

    ids = _wms_data.bootstrap(rebuild=options.rebuild)
    from django.db import connection

    from core.models import Item
    from wms.models import Bin

    pairs = prepare_pairs(ids)
    items = {item.pk: item for item in Item.objects.select_related("base_unit").filter(pk__in=ids["item_ids"])}
    bins = {b.pk: b for b in Bin.objects.select_related("warehouse__site", "zone").filter(pk__in=ids["bin_ids"])}
    unit_id = next(iter(items.values())).base_unit_id
    statements = statements_per_transfer(ids, pairs, items, bins)
    print(f"data: {len(bins)} bins, {len(pairs)} lots moved between two bins; {statements} statements per transfer")
    connection.close()

    runs = []
    for threads in [int(n) for n in options.threads.split(",")]:
        service_rates, raw_rates, ratios = [], [], []
        for round_no in range(options.rounds):
            service = timed(
                service_worker,
                threads,
                options.seconds,
                lambda i, r=round_no, t=threads: (ids, pairs, items, bins, 1000 * t + 10 * r + i),
            )
            raw = timed(
                raw_worker,
                threads,
                options.seconds,
                lambda i, r=round_no, t=threads: (ids, pairs, unit_id, 2000 * t + 10 * r + i),
            )
            service_rates.append(service)
            raw_rates.append(raw)
            ratios.append(service / raw)
            print(
                f"{threads} thread(s), round {round_no + 1}: service {service:.0f}/s, raw {raw:.0f}/s, "
                f"ratio {service / raw:.2f}",
                flush=True,
            )
        runs.append(
            {
                "threads": threads,
                "service_moves_per_s": round(statistics.median(service_rates), 1),
                "raw_moves_per_s": round(statistics.median(raw_rates), 1),
                "ratio": round(statistics.median(ratios), 3),
                "target": 0.5 if threads == 1 else 0.35,
            }
        )
    _wms_data.purge_broker_queue()
    for run in runs:
        run["meets_target"] = run["ratio"] >= run["target"]
        print(
            f"{run['threads']} thread(s): service {run['service_moves_per_s']}/s vs raw {run['raw_moves_per_s']}/s "
            f"= {run['ratio']}x (target {run['target']}x)"
        )
    print(
        json.dumps(
            {
                "benchmark": "wms_ledger",
                "move": "transfer",
                "statements_per_transfer": statements,
                "raw_statements_per_transfer": 8,
                "seconds_per_run": options.seconds,
                "rounds": options.rounds,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
