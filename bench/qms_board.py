"""Server time of the SPC status board with 500 characteristics, on the deployed server, beside
the bare authenticated endpoint in the same run.

Builds (once) its own database `factory_bench_qms_board` (override with QMS_BENCH_DATABASE_URL):
one site with a work centre of 5 machines, 100 items with 5 characteristics each (500: X̄-R,
X̄-S, I-MR and p charts), 30 subgroups of measurements per characteristic (about 60,000 rows),
each characteristic evaluated by `qms.services.spc_monitor.evaluate_new` as new data is (status
rows, SPC alerts where a rule is broken). Then starts docker-compose.yml's web command (gunicorn)
on it, signs a quality engineer in through the login form and loads, with wrk
(bench/wrk/api.lua) at `--connections` open connections, in interleaved rounds:

- bare: `GET /api/v1/core/units/?page_size=1`, the limit (session, permissions, one query);
- page: `GET /qms/spc/`, the board (500 tiles);
- api: `GET /api/v1/qms/spc/status/?page_size=500`, the same as JSON.

Prints each request's p50/p95/p99 and rps, the board's p95 beside the 300 ms limit and the bare
endpoint's p95; one JSON line last.

    python bench/qms_board.py [--connections 2] [--seconds 5] [--rounds 3] [--rebuild]
"""

import argparse
import http.cookiejar
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load
import _server
import _wms_data
from mes_dashboard import merge

ROOT = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get("QMS_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory_bench_qms_board")
DATA_VERSION = "qms-board-v1"
SITE = "QB"
USER, PASSWORD = "qmsbench", "qms-bench-quality-pw"
N_ITEMS, PER_ITEM, SUBGROUPS = 100, 5, 30
N_CHARACTERISTICS = N_ITEMS * PER_ITEM
LIMIT_MS = 300.0
WRK_MODES = {"bare": "bare", "page": "spc_board_page", "api": "spc_status_api"}
REQUESTS = {
    "bare": "GET /api/v1/core/units/?page_size=1",
    "page": "GET /qms/spc/",
    "api": "GET /api/v1/qms/spc/status/?page_size=500",
}
# chart, subgroup size, process sigma (spec 10 ± 0.05: Cpk about 3.3, 1.4, 1.1, 0.8)
KINDS = [("xbar_r", 5, 0.005), ("xbar_s", 5, 0.012), ("imr", 1, 0.015), ("xbar_r", 4, 0.02), ("p", 1, 0.0)]


def bootstrap(*, rebuild: bool) -> None:
    """Django on the bench database, migrated and loaded once (`rebuild` starts over)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
    if rebuild:
        _wms_data._drop_database(DB_URL)
    _wms_data._create_database_if_missing(DB_URL)
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
    if not (row and row[0] == DATA_VERSION):
        _load_data()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_meta VALUES ('data', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [DATA_VERSION],
            )
        print(f"bench data loaded in {time.perf_counter() - started:.1f} s", flush=True)
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from core.models import User

    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username=USER).update(password=hasher.encode(PASSWORD, hasher.salt()))


def _load_data() -> None:
    from datetime import timedelta
    from decimal import Decimal

    import numpy as np
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from core.models import Company, Currency, Item, Site, Unit, User
    from core.roles import sync_roles
    from mes.models import Area, Equipment, EquipmentClass, WorkCentre
    from qms.models import Characteristic, Measurement
    from qms.services import spc_monitor

    sync_roles()
    with transaction.atomic():
        currency, _ = Currency.objects.get_or_create(code="EUR", defaults={"name": "Euro"})
        company, _ = Company.objects.get_or_create(
            code="QBCO", defaults={"name": "Board bench", "base_currency": currency}
        )
        site, _ = Site.objects.get_or_create(
            code=SITE, defaults={"company": company, "name": "Board bench plant", "time_zone": "Europe/Berlin"}
        )
        unit, _ = Unit.objects.get_or_create(
            code="mm", defaults={"name": "millimetre", "dimension": "length", "ratio": Decimal("0.001")}
        )
        pcs, _ = Unit.objects.get_or_create(code="pcs", defaults={"name": "pieces", "dimension": "count"})
        area, _ = Area.objects.get_or_create(code="QB-A", defaults={"site": site, "name": "Hall"})
        centre, _ = WorkCentre.objects.get_or_create(
            code="QB-WC", defaults={"site": site, "area": area, "name": "Line"}
        )
        kind, _ = EquipmentClass.objects.get_or_create(code="QB-CNC", defaults={"name": "CNC"})
        machines = [
            Equipment.objects.get_or_create(
                code=f"QB-M{n}",
                defaults={
                    "site": site,
                    "work_centre": centre,
                    "name": f"M{n}",
                    "equipment_class": kind,
                    "state_since": timezone.now(),
                },
            )[0]
            for n in range(5)
        ]
        user, _ = User.objects.get_or_create(username=USER, defaults={"first_name": "Quality", "last_name": "Bench"})
        user.groups.add(Group.objects.get(name="quality"))
        user.sites.add(site)
        items = Item.objects.bulk_create(
            [Item(code=f"QB-{i:04d}", name=f"Part {i}", type="semi_finished", base_unit=pcs) for i in range(N_ITEMS)]
        )
        characteristics = []
        for item in items:
            for n, (chart, size, _sigma) in enumerate(KINDS):
                variable = chart != "p"
                characteristics.append(
                    Characteristic(
                        item=item,
                        stage="in_process",
                        code=f"C{n}",
                        name=f"Characteristic {n}",
                        kind="variable" if variable else "attribute",
                        chart=chart,
                        subgroup_size=size,
                        nominal=Decimal("10") if variable else None,
                        lsl=Decimal("9.95") if variable else None,
                        usl=Decimal("10.05") if variable else None,
                        unit=unit if variable else None,
                        defect_types=[] if variable else ["crack"],
                    )
                )
        Characteristic.objects.bulk_create(characteristics)
        generator = np.random.default_rng(5)
        start = timezone.now() - timedelta(minutes=SUBGROUPS * 10)
        rows = []
        for number, characteristic in enumerate(characteristics):
            chart, size, sigma = KINDS[number % len(KINDS)]
            machine = machines[number % len(machines)]
            for s in range(SUBGROUPS):
                at = start + timedelta(minutes=10 * s)
                key = f"G{s:03d}"
                if chart == "p":
                    rows.append(
                        Measurement(
                            characteristic=characteristic,
                            site=site,
                            subgroup=key,
                            count=int(generator.binomial(50, 0.05)),
                            size=50,
                            measured_at=at,
                            equipment=machine,
                        )
                    )
                    continue
                for j, value in enumerate(generator.normal(10.0, sigma, size)):
                    rows.append(
                        Measurement(
                            characteristic=characteristic,
                            site=site,
                            subgroup=key,
                            value=Decimal(f"{value:.5f}"),
                            measured_at=at + timedelta(seconds=j),
                            equipment=machine,
                        )
                    )
        Measurement.objects.bulk_create(rows, batch_size=5000)
    for characteristic in Characteristic.objects.select_related("item").filter(item__code__startswith="QB-"):
        spc_monitor.evaluate_new(characteristic=characteristic, site=site)


def sign_in(base: str) -> str:
    """The quality engineer's session cookie, from the login form like a browser; checks the
    board shows every characteristic."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request, timeout=30).read()
    board = opener.open(f"{base}/qms/spc/", timeout=60).read().decode()
    tiles = board.count('class="spc-tile ')
    if tiles != N_CHARACTERISTICS:
        raise SystemExit(f"the board shows {tiles} tiles, expected {N_CHARACTERISTICS}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=4)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    bootstrap(rebuild=args.rebuild)
    from django.db import connections

    connections.close_all()
    env = {
        "DATABASE_URL": DB_URL,
        "REDIS_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEB_CONCURRENCY": str(args.web_concurrency),
        "WEB_THREADS": str(args.web_threads),
    }
    runs = {name: [] for name in REQUESTS}
    with _server.DeployedServer(env=env, static_root=_server.ROOT / "var" / "bench-static") as server:
        cookie = sign_in(server.url)
        wrk_env = {"WRK_COOKIE": cookie, "WRK_SITE": SITE}

        def load(name, seconds):
            return _load.wrk(
                server.url, mode=WRK_MODES[name], token="", connections=args.connections, seconds=seconds, env=wrk_env
            )

        for name in REQUESTS:  # warm-up
            load(name, 2)
        for round_ in range(args.rounds):
            for name in REQUESTS:
                run = load(name, args.seconds)
                runs[name].append(run)
                print(f"  round {round_ + 1} {name}: p95 {run['p95_ms']} ms, {run['rps']} rps", flush=True)

    results = {name: merge(r) for name, r in runs.items()}
    bare, page = results["bare"], results["page"]
    load_average = os.getloadavg()
    print(
        f"\n{N_CHARACTERISTICS} characteristics; {args.connections} connections, "
        f"{args.rounds} x {args.seconds:g} s per request, interleaved; load average {load_average[0]:.2f}"
    )
    print(f"{'request':44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'rps':>7} {'non-2xx':>7}")
    for name, label in REQUESTS.items():
        r = results[name]
        print(f"{label:44} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['p99_ms']:>8} {r['rps']:>7} {r['non_2xx']:>7}")
    ratio = round(page["p95_ms"] / LIMIT_MS, 3)
    meets = page["requests"] > 0 and all(r["requests"] for r in runs["page"]) and page["p95_ms"] <= LIMIT_MS
    verdict = "meets" if meets else "MISSES"
    print(f"board p95 {page['p95_ms']} ms vs limit {LIMIT_MS:g} ms (ratio {ratio}): {verdict} the target")
    times = page["p95_ms"] / bare["p95_ms"] if bare["p95_ms"] else float("nan")
    print(f"bare endpoint p95 {bare['p95_ms']} ms in the same run (board/bare {times:.1f}x)")
    print(
        json.dumps(
            {
                "benchmark": "qms_board",
                "characteristics": N_CHARACTERISTICS,
                "connections": args.connections,
                "seconds": args.seconds,
                "rounds": args.rounds,
                "board_p95_ms": page["p95_ms"],
                "limit_p95_ms": LIMIT_MS,
                "ratio_to_limit": ratio,
                "meets_target": meets,
                "api_p95_ms": results["api"]["p95_ms"],
                "bare_p95_ms": bare["p95_ms"],
                "board_to_bare": round(times, 2),
                "load_average_1min": round(load_average[0], 2),
                "results": results,
            }
        )
    )


if __name__ == "__main__":
    main()
