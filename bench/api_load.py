"""The warehouse API under load on the deployed server, beside a bare endpoint.

Starts docker-compose.yml's web command (gunicorn, config/gunicorn.py) on a free port of
127.0.0.1 against the bench database (bench/_wms_data.py: 10k bins, 100k lots), then loads it
with wrk (its own process, bench/wrk/api.lua) at `--connections` open connections, in
interleaved rounds:

- bare: `GET /api/v1/core/units/?page_size=1`, the limit (authentication, permissions, one
  one-row query, JSON);
- `POST /api/v1/wms/moves/`: a transfer of 1 of a random lot out of its opening bin;
- `GET /api/v1/wms/stock/?item=`: a random item's stock rows (about 50).

Prints each request's rps and p50/p95/p99, the bare endpoint's, the ratios (target >= 0.5), the
CPU per request of the server and its database backends with the ratio it implies, and the peak
database connections the server held next to its bound; one JSON line last.

    python bench/api_load.py [--connections 50] [--seconds 10] [--rounds 2]
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load
import _wms_data

REQUESTS = {
    "bare": "GET /api/v1/core/units/?page_size=1",
    "move": "POST /api/v1/wms/moves/",
    "stock": "GET /api/v1/wms/stock/?item=",
}


def merge(runs: list[dict]) -> dict:
    """Rounds of one request: total rate, the median round's percentiles."""
    requests = sum(r["requests"] for r in runs)
    ordered = sorted(runs, key=lambda r: r["rps"])
    middle = ordered[len(ordered) // 2]
    return {
        "requests": requests,
        "rps": round(sum(r["rps"] for r in runs) / len(runs), 1),
        "p50_ms": middle["p50_ms"],
        "p95_ms": middle["p95_ms"],
        "p99_ms": middle["p99_ms"],
        "cpu_ms_per_request": round(sum(r["cpu_ms"] for r in runs) / requests, 2) if requests else None,
        "5xx": sum(r["5xx"] for r in runs),
        "non_2xx": sum(n for r in runs for status, n in r["statuses"].items() if status >= 300),
    }


def main() -> None:
    args = _load.load_arguments(__doc__.splitlines()[0])

    ids = _wms_data.bootstrap(rebuild=args.rebuild)
    token = _load.bench_token(ids["user"])
    from django.db import connections

    connections.close_all()  # the sampler counts the server's connections only
    bound = args.web_concurrency * args.web_threads
    runs = {name: [] for name in REQUESTS}
    with (
        _load.deployed_bench_server(web_concurrency=args.web_concurrency, web_threads=args.web_threads) as server,
        _load.ConnectionSampler(_wms_data.BENCH_DB_URL) as sampler,
    ):
        for name in REQUESTS:  # warm-up: every worker imports and connects
            _load.wrk(server.url, mode=name, token=token, connections=args.connections, seconds=2)
        for _round in range(args.rounds):
            for name in REQUESTS:
                cpu = _load.server_cpu_seconds(server, sampler)
                run = _load.wrk(server.url, mode=name, token=token, connections=args.connections, seconds=args.seconds)
                run["cpu_ms"] = (_load.server_cpu_seconds(server, sampler) - cpu) * 1000
                runs[name].append(run)
                print(f"  round {_round + 1} {name}: {run['rps']} rps, p95 {run['p95_ms']} ms", flush=True)
    _wms_data.purge_broker_queue()

    results = {name: merge(r) for name, r in runs.items()}
    bare = results["bare"]["rps"]
    print(f"\n{args.connections} connections, {args.rounds} x {args.seconds:g} s per request, server bound {bound}")
    print(
        f"{'request':38} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'ratio':>6} "
        f"{'cpu ms/req':>10} {'cpu ratio':>9} {'5xx':>4}"
    )
    bare_cpu = results["bare"]["cpu_ms_per_request"]
    for name, label in REQUESTS.items():
        r = results[name]
        r["ratio_to_bare"] = round(r["rps"] / bare, 3) if bare else 0.0
        # Requests per CPU-second beside the bare endpoint's: the ratio a CPU-bound server reaches,
        # less sensitive than rps to what else the machine runs.
        r["cpu_ratio_to_bare"] = round(bare_cpu / r["cpu_ms_per_request"], 3) if r["cpu_ms_per_request"] else 0.0
        print(
            f"{label:38} {r['rps']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['ratio_to_bare']:>6} {r['cpu_ms_per_request']:>10} {r['cpu_ratio_to_bare']:>9} {r['5xx']:>4}"
        )
    print(f"database connections held by the server: peak {sampler.peak}, bound {bound}")
    print(
        json.dumps(
            {
                "benchmark": "api_load",
                "connections": args.connections,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "web_concurrency": args.web_concurrency,
                "web_threads": args.web_threads,
                "bare_rps": bare,
                "move_rps": results["move"]["rps"],
                "stock_rps": results["stock"]["rps"],
                "move_ratio": results["move"]["ratio_to_bare"],
                "stock_ratio": results["stock"]["ratio_to_bare"],
                "move_cpu_ratio": results["move"]["cpu_ratio_to_bare"],
                "stock_cpu_ratio": results["stock"]["cpu_ratio_to_bare"],
                "target_ratio": 0.5,
                "peak_db_connections": sampler.peak,
                "db_connection_bound": bound,
                "5xx": sum(r["5xx"] for r in results.values()),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
