"""200 concurrent clients against the deployed web command: no 5xx, on-hand conserved, and the
database connections it holds stay at or under its bound (WEB_CONCURRENCY x WEB_THREADS).

Starts docker-compose.yml's web command (bench/_server.py) on the bench database
(bench/_wms_data.py) and drives it with wrk (bench/wrk/api.lua, `mixed`: the bare endpoint, a
stock query and a transfer in turn) at `--clients` open connections for `--seconds`, sampling
`pg_stat_activity` for the bench database every 100 ms. Transfers move stock between bins, so
the total on hand must be the same before and after. One JSON line last.

    python bench/web_connections.py [--clients 200] [--seconds 20]
"""

import argparse
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load
import _wms_data


def on_hand_total():
    from django.db import connection
    from django.db.models import Sum

    from wms.models import StockQuant

    total = StockQuant.objects.aggregate(total=Sum("quantity"))["total"]
    connection.close()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=8)
    args = parser.parse_args()

    ids = _wms_data.bootstrap()
    token = _load.bench_token(ids["user"])
    before = on_hand_total()
    bound = args.web_concurrency * args.web_threads
    with (
        _load.deployed_bench_server(web_concurrency=args.web_concurrency, web_threads=args.web_threads) as server,
        _load.ConnectionSampler(_wms_data.BENCH_DB_URL) as sampler,
    ):
        run = _load.wrk(server.url, mode="mixed", token=token, connections=args.clients, seconds=args.seconds)
        # Afterwards the server still answers, with no more connections than its bound.
        request = urllib.request.Request(
            server.url + "/api/v1/core/units/?page_size=1", headers={"Authorization": f"Token {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            after_status = response.status
        after_connections = sampler.count()
    _wms_data.purge_broker_queue()
    after = on_hand_total()

    print(f"{args.clients} clients for {args.seconds:g} s: {run['requests']} requests, {run['rps']} rps")
    print(f"answers: {dict(sorted(run['statuses'].items()))}, 5xx: {run['5xx']}, socket errors: {run['socket_errors']}")
    print(f"database connections: peak {sampler.peak} (bound {bound}), after the load {after_connections}")
    print(f"on hand: {before} before, {after} after")
    ok = run["5xx"] == 0 and sampler.peak <= bound and before == after and after_status == 200
    print("OK" if ok else "FAILED")
    print(
        json.dumps(
            {
                "benchmark": "web_connections",
                "clients": args.clients,
                "seconds": args.seconds,
                "requests": run["requests"],
                "rps": run["rps"],
                "statuses": run["statuses"],
                "5xx": run["5xx"],
                "socket_errors": run["socket_errors"],
                "peak_db_connections": sampler.peak,
                "db_connection_bound": bound,
                "db_connections_after": after_connections,
                "on_hand_before": str(before),
                "on_hand_after": str(after),
                "on_hand_conserved": before == after,
                "ok": ok,
            }
        )
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
