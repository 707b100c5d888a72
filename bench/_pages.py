"""What the page benchmarks share (bench/mes_dashboard.py, bench/qms_board.py): a bench database
migrated and loaded once, a user signed in through the login form like a browser, and interleaved
wrk rounds of a page, its JSON and the bare authenticated endpoint on the deployed web command,
reported against a p95 limit with one JSON line last."""

import argparse
import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import _load
import _server
import _wms_data

ROOT = Path(__file__).resolve().parents[1]


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    return parser.parse_args()


def bootstrap(
    *, db_url: str, data_version: str, load_data: Callable[[], None], user: str, password: str, rebuild: bool
):
    """Django on the bench database `db_url`, migrated, loaded once per `data_version` (`rebuild`
    starts over), with `user`'s password set for the deployed server."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
    if rebuild:
        _wms_data._drop_database(db_url)
    _wms_data._create_database_if_missing(db_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'data'")
        row = cursor.fetchone()
    if not (row and row[0] == data_version):
        load_data()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_meta VALUES ('data', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [data_version],
            )
        print(f"bench data loaded in {time.perf_counter() - started:.1f} s", flush=True)
    _set_password(user, password)


def _set_password(user: str, password: str) -> None:
    """Hashed with a hasher of the production settings (the bench process runs the test settings,
    whose fast hasher the deployed server does not accept)."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from core.models import User

    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username=user).update(password=hasher.encode(password, hasher.salt()))


def sign_in(base: str, user: str, password: str, *, check: Callable) -> str:
    """The session cookie of `user`, from the login form like a browser; `check(opener, landing,
    base)` looks at the page the login landed on (and may open others) and raises SystemExit if
    it is wrong."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": user, "password": password, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    check(opener, opener.open(request, timeout=30), base)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def merge(runs: list[dict]) -> dict:
    """Rounds of one request: total requests, mean rate, the median round's percentiles."""
    ordered = sorted(runs, key=lambda r: r["p95_ms"])
    middle = ordered[len(ordered) // 2]
    return {
        "requests": sum(r["requests"] for r in runs),
        "rps": round(sum(r["rps"] for r in runs) / len(runs), 1),
        "p50_ms": middle["p50_ms"],
        "p95_ms": middle["p95_ms"],
        "p99_ms": middle["p99_ms"],
        "worst_round_p95_ms": ordered[-1]["p95_ms"],
        "non_2xx": sum(n for r in runs for status, n in r["statuses"].items() if status >= 300),
    }


def run_rounds(args, *, db_url: str, requests: dict, wrk_modes: dict, site: str, sign_in_to) -> tuple[dict, dict]:
    """Start the deployed web command on `db_url`, sign in (`sign_in_to(base) -> cookie`), warm up,
    then run `args.rounds` interleaved rounds of each request; returns (merged results, runs)."""
    from django.db import connections

    connections.close_all()
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEB_CONCURRENCY": str(args.web_concurrency),
        "WEB_THREADS": str(args.web_threads),
    }
    runs = {name: [] for name in requests}
    with _server.DeployedServer(env=env, static_root=_server.ROOT / "var" / "bench-static") as server:
        wrk_env = {"WRK_COOKIE": sign_in_to(server.url), "WRK_SITE": site}

        def load(name, seconds):
            return _load.wrk(
                server.url, mode=wrk_modes[name], token="", connections=args.connections, seconds=seconds, env=wrk_env
            )

        for name in requests:  # warm-up: every worker imports, connects and fills its caches
            load(name, 2)
        for round_ in range(args.rounds):
            for name in requests:
                run = load(name, args.seconds)
                runs[name].append(run)
                print(f"  round {round_ + 1} {name}: p95 {run['p95_ms']} ms, {run['rps']} rps", flush=True)
    return {name: merge(r) for name, r in runs.items()}, runs


def report(
    args,
    *,
    benchmark: str,
    what: str,
    page_name: str,
    requests: dict,
    results: dict,
    runs: dict,
    limit_ms: float,
    extra: dict,
) -> None:
    """The table, the page's p95 against `limit_ms` and the bare endpoint, and one JSON line."""
    bare, page = results["bare"], results["page"]
    load_average = os.getloadavg()
    print(
        f"\n{what}; {args.connections} connections, {args.rounds} x {args.seconds:g} s per request, "
        f"interleaved; load average {load_average[0]:.2f}"
    )
    print(f"{'request':44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'rps':>7} {'non-2xx':>7}")
    for name, label in requests.items():
        r = results[name]
        print(f"{label:44} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>7} {r['non_2xx']:>7}")
    ratio = round(page["p95_ms"] / limit_ms, 3)
    # A round in which no page request completed has no percentile: that is a miss.
    meets = page["requests"] > 0 and all(r["requests"] for r in runs["page"]) and page["p95_ms"] <= limit_ms
    verdict = "meets" if meets else "MISSES"
    print(f"{page_name} p95 {page['p95_ms']} ms vs limit {limit_ms:g} ms (ratio {ratio}): {verdict} the target")
    times = page["p95_ms"] / bare["p95_ms"] if bare["p95_ms"] else float("nan")
    print(f"bare endpoint p95 {bare['p95_ms']} ms in the same run ({page_name}/bare {times:.1f}x)")
    print(
        json.dumps(
            {
                "benchmark": benchmark,
                **extra,
                "connections": args.connections,
                "seconds": args.seconds,
                "rounds": args.rounds,
                f"{page_name}_p95_ms": page["p95_ms"],
                "limit_p95_ms": limit_ms,
                "ratio_to_limit": ratio,
                "meets_target": meets,
                "api_p95_ms": results["api"]["p95_ms"],
                "bare_p95_ms": bare["p95_ms"],
                f"{page_name}_to_bare": round(times, 2),
                "load_average_1min": round(load_average[0], 2),
                "results": results,
            }
        )
    )
