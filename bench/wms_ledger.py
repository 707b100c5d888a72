"""Sustained stock moves per second through the ledger service (`post_move`), 1 and 2 threads.

Mixed kinds on the bench data (10k bins, 100k lots): 40 % receipts of an existing lot into a
random bin, 30 % transfers of one piece from a lot's bin to a random bin, 30 % issues of one
piece. Each thread has its own database connection. Prints figures, then one JSON line.

    python bench/wms_ledger.py [SECONDS] [--threads 1,2] [--rebuild]
"""

import argparse
import json
import random
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _wms_data

MIX = (("receipt", 0.4), ("transfer", 0.3), ("issue", 0.3))


def run(seconds: float, threads: int, ids: dict, lots: list[tuple[int, int, str]], homes: dict) -> dict:
    """Post moves from `threads` threads for `seconds`; latency of each successful move."""
    from django.db import connection

    from core.models import Item
    from wms.errors import InsufficientStock
    from wms.models import Bin, Lot
    from wms.services.ledger import post_move

    items = {item.pk: item for item in Item.objects.select_related("base_unit").filter(pk__in=ids["item_ids"])}
    bins = {b.pk: b for b in Bin.objects.select_related("warehouse__site", "zone").filter(pk__in=ids["bin_ids"])}
    connection.close()
    bin_ids = ids["bin_ids"]
    user = ids["user"]
    kinds = [kind for kind, _ in MIX]
    weights = [weight for _, weight in MIX]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    counts = [dict.fromkeys(kinds, 0) for _ in range(threads)]
    refused = [0] * threads
    deadline = [0.0]
    barrier = threading.Barrier(threads + 1)

    def worker(index: int) -> None:
        rng = random.Random(1000 + index)
        try:
            barrier.wait()
            while time.perf_counter() < deadline[0]:
                kind = rng.choices(kinds, weights)[0]
                lot_id, item_id, code = lots[rng.randrange(len(lots))]
                item = items[item_id]
                lot = Lot(pk=lot_id, item=item, code=code, site_id=ids["site"].pk)
                home = bins[homes[lot_id]]
                other = bins[bin_ids[rng.randrange(len(bin_ids))]]
                if other.pk == home.pk:
                    continue
                if kind == "receipt":
                    args = {"to_bin": other, "quantity": Decimal(rng.randint(1, 5))}
                elif kind == "transfer":
                    args = {"from_bin": home, "to_bin": other, "quantity": Decimal(1)}
                else:
                    args = {"from_bin": home, "quantity": Decimal(1)}
                started = time.perf_counter()
                try:
                    post_move(kind=kind, item=item, lot=lot, user=user, reference="bench", **args)
                except InsufficientStock:
                    refused[index] += 1
                    continue
                latencies[index].append(time.perf_counter() - started)
                counts[index][kind] += 1
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    barrier.wait()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    samples = [value for per_thread in latencies for value in per_thread]
    return {
        "threads": threads,
        "seconds": round(elapsed, 2),
        "moves": len(samples),
        "moves_per_s": round(len(samples) / elapsed, 1),
        "p50_ms": round(_wms_data.percentile(samples, 50) * 1000, 2),
        "p95_ms": round(_wms_data.percentile(samples, 95) * 1000, 2),
        "p99_ms": round(_wms_data.percentile(samples, 99) * 1000, 2),
        "by_kind": {kind: sum(c[kind] for c in counts) for kind in kinds},
        "refused": sum(refused),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seconds", nargs="?", type=float, default=20.0)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    options = parser.parse_args()

    ids = _wms_data.bootstrap(rebuild=options.rebuild)
    from django.db import connection

    from wms.models import Lot, StockMove, StockQuant

    # Each lot's home: the bin holding most of it (its opening balance), where issues come from.
    homes = dict(
        StockQuant.objects.filter(site=ids["site"], quantity__gte=100)
        .order_by("lot_id", "-quantity")
        .distinct("lot_id")
        .values_list("lot_id", "bin_id")
    )
    lots = [lot for lot in Lot.objects.filter(site=ids["site"]).values_list("id", "item_id", "code") if lot[0] in homes]
    print(
        f"data: {len(ids['bin_ids'])} bins, {len(lots)} lots with stock, {len(ids['item_ids'])} items; "
        f"moves already in the ledger: {StockMove.objects.count()}",
        flush=True,
    )
    connection.close()

    results = []
    for threads in [int(n) for n in options.threads.split(",")]:
        result = run(options.seconds, threads, ids, lots, homes)
        results.append(result)
        print(
            f"{threads} thread(s): {result['moves']} moves in {result['seconds']} s = {result['moves_per_s']} moves/s; "
            f"per move p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, p99 {result['p99_ms']} ms; "
            f"{result['by_kind']}, refused {result['refused']}",
            flush=True,
        )
    _wms_data.purge_broker_queue()
    summary = {
        "benchmark": "wms_ledger",
        "bins": len(ids["bin_ids"]),
        "lots": len(lots),
        "seconds_per_run": options.seconds,
        "runs": results,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
