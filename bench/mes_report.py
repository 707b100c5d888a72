"""Production reports through the API under load on the deployed server, beside a bare endpoint.

Starts docker-compose.yml's web command (gunicorn, config/gunicorn.py) on a free port of
127.0.0.1 against the bench database (bench/_wms_data.py, plus bench/_mes_data.py's plant: 200
machines each running the first operation of a released work order), then loads it with wrk
(its own process, bench/wrk/api.lua) at `--connections` open connections, in interleaved rounds:

- bare: `GET /api/v1/core/units/?page_size=1` as the same operator, the limit (authentication,
  permissions, one one-row query, JSON);
- `POST /api/v1/mes/production-reports/`: 1 good piece on a random running operation, each
  request with an idempotency key of its own.

Prints each request's rps and p50/p95/p99, the ratio (target >= 0.5), the CPU per request of
the server and its database backends with the ratio it implies, the statements one report runs
(measured in process before the load) and the peak database connections; one JSON line last.

    python bench/mes_report.py [--connections 50] [--seconds 10] [--rounds 2]
"""

import json
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load
import _mes_data
import _wms_data
from api_load import merge

REQUESTS = {
    "bare": "GET /api/v1/core/units/?page_size=1",
    "report": "POST /api/v1/mes/production-reports/",
}


def statements_per_report(user, operation_id: int) -> int:
    """Statements one report runs through the API (the second of two, as a warm process runs it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    counts = []
    for _ in range(2):
        body = {"operation": operation_id, "good": "1", "idempotency_key": f"bench-count-{uuid.uuid4()}"}
        with CaptureQueriesContext(connection) as captured:
            answer = client.post("/api/v1/mes/production-reports/", body, format="json")
        if answer.status_code != 201:
            raise SystemExit(f"a report was refused: {answer.status_code} {answer.content[:300]!r}")
        counts.append(len(captured.captured_queries))
    return counts[-1]


def main() -> None:
    args = _load.load_arguments(__doc__.splitlines()[0])

    ids = _mes_data.bootstrap(rebuild=args.rebuild)
    token = _load.bench_token(ids["user"])
    statements = statements_per_report(ids["user"], ids["operations"][0])
    from django.db import connections

    connections.close_all()  # the sampler counts the server's connections only
    env = {"WRK_OPERATIONS": ",".join(str(pk) for pk in ids["operations"])}
    bound = args.web_concurrency * args.web_threads
    runs = {name: [] for name in REQUESTS}
    with (
        _load.deployed_bench_server(web_concurrency=args.web_concurrency, web_threads=args.web_threads) as server,
        _load.ConnectionSampler(_wms_data.BENCH_DB_URL) as sampler,
    ):
        for name in REQUESTS:  # warm-up: every worker imports and connects
            _load.wrk(server.url, mode=name, token=token, connections=args.connections, seconds=2, env=env)
        for _round in range(args.rounds):
            for name in REQUESTS:
                cpu = _load.server_cpu_seconds(server, sampler)
                run = _load.wrk(
                    server.url, mode=name, token=token, connections=args.connections, seconds=args.seconds, env=env
                )
                run["cpu_ms"] = (_load.server_cpu_seconds(server, sampler) - cpu) * 1000
                runs[name].append(run)
                print(f"  round {_round + 1} {name}: {run['rps']} rps, p95 {run['p95_ms']} ms", flush=True)
    _wms_data.purge_broker_queue()

    results = {name: merge(r) for name, r in runs.items()}
    bare, bare_cpu = results["bare"]["rps"], results["bare"]["cpu_ms_per_request"]
    report = results["report"]
    ratio = round(report["rps"] / bare, 3) if bare else 0.0
    cpu_ratio = round(bare_cpu / report["cpu_ms_per_request"], 3) if report["cpu_ms_per_request"] else 0.0
    print(f"\n{args.connections} connections, {args.rounds} x {args.seconds:g} s per request, server bound {bound}")
    print(f"{'request':40} {'rps':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'cpu ms/req':>10} {'5xx':>4}")
    for name, label in REQUESTS.items():
        r = results[name]
        print(
            f"{label:40} {r['rps']:>7} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} "
            f"{r['cpu_ms_per_request']:>10} {r['5xx']:>4}"
        )
    print(f"reports / bare: {ratio}x (target 0.5x); by CPU per request: {cpu_ratio}x")
    print(f"statements per report: {statements}; non-2xx answers to reports: {report['non_2xx']}")
    print(f"database connections held by the server: peak {sampler.peak}, bound {bound}")
    print(
        json.dumps(
            {
                "benchmark": "mes_report",
                "connections": args.connections,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "running_operations": len(ids["operations"]),
                "bare_rps": bare,
                "report_rps": report["rps"],
                "ratio": ratio,
                "cpu_ratio": cpu_ratio,
                "target_ratio": 0.5,
                "meets_target": ratio >= 0.5,
                "statements_per_report": statements,
                "peak_db_connections": sampler.peak,
                "db_connection_bound": bound,
                "5xx": sum(r["5xx"] for r in results.values()),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
