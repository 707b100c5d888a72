"""Releasing work orders and listing them, on PostgreSQL.

1. Release 1,000 draft work orders (three operations each, two components reserved in WMS for
   each) as a planner releases a plan: one `release_work_orders` call, the time of that call
   against the 10 s limit.
2. The p95 of `GET /api/v1/mes/work-orders/` (the newest page) with 100,000 work orders in the
   database (300,000 operations), one client (wrk -c1) on the deployed web command, against
   the 200 ms limit; the bare authenticated endpoint in the same rounds, interleaved, for scale.

The data lives in its own database (MES_BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/factory_mes_bench), made and migrated when missing; the
100,000 listed orders are copies of one made by the service, inserted by INSERT ... SELECT.
One JSON line last.

    python bench/mes_release.py [--orders 1000] [--listed 100000] [--seconds 10] [--rounds 2] [--port 9310]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("MES_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory_mes_bench")
RELEASE_LIMIT_S = 10.0
LIST_LIMIT_MS = 200.0

COPY_ORDERS = """
INSERT INTO mes_workorder (number, site_id, item_id, quantity, unit_id, due, priority, status, bom_id,
                           routing_id, good, scrap, reference, created_by_id, created_at, updated_at)
SELECT 'WOB-' || lpad(n::text, 7, '0'), site_id, item_id, quantity, unit_id, due + (n || ' minutes')::interval,
       1 + n %% 9, 'released', bom_id, routing_id, 0, 0, 'bench', created_by_id,
       now() - (n || ' seconds')::interval, now()
FROM mes_workorder, generate_series(%(start)s, %(stop)s) AS n
WHERE mes_workorder.id = %(template)s
"""
COPY_OPERATIONS = """
INSERT INTO mes_operation (work_order_id, sequence, name, work_centre_id, equipment_id, status, quantity, good,
                           scrap, setup_minutes, run_seconds_per_unit, labour, skill, instructions,
                           paused_seconds, created_at, updated_at)
SELECT wo.id, op.sequence, op.name, op.work_centre_id, NULL, 'pending', op.quantity, 0, 0, op.setup_minutes,
       op.run_seconds_per_unit, op.labour, op.skill, op.instructions, 0, now(), now()
FROM mes_workorder wo JOIN mes_operation op ON op.work_order_id = %(template)s
WHERE wo.reference = 'bench' AND NOT EXISTS (SELECT 1 FROM mes_operation o WHERE o.work_order_id = wo.id)
"""


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/3")
    import _wms_data

    if _wms_data._create_database_if_missing(DB_URL):
        print(f"created {DB_URL}", flush=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def plant():
    """The test suite's small plant, with stock for every release: made on the first run, looked
    up on later ones."""
    from types import SimpleNamespace

    from core.models import Item, Site, User
    from tests.mes.factories import production_plant
    from tests.wms.factories import stock_in

    site = Site.objects.filter(code="MBS").first()
    if site is not None:
        return SimpleNamespace(
            site=site, product=Item.objects.get(code="MB-FG"), planner=User.objects.get(username="mbplanner")
        )
    made = production_plant(prefix="MB")
    stock_in(bin=made.wip, item=made.shaft, quantity=10_000_000, lot=made.shaft_lot, user=made.warehouse_user)
    stock_in(bin=made.wip, item=made.screw, quantity=100_000_000, user=made.warehouse_user)
    return made


def drafts(plant, count: int) -> list:
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from mes.services import work_orders

    return [
        work_orders.create_work_order(
            site=plant.site,
            item=plant.product,
            quantity=Decimal(5),
            due=timezone.now() + timedelta(days=3, minutes=n),
            user=plant.planner,
            reference="release-bench",
        )
        for n in range(count)
    ]


def time_releases(plant, orders) -> float:
    """The release of the whole plan in one call (`release_work_orders`)."""
    from mes.services import work_orders

    started = time.perf_counter()
    work_orders.release_work_orders(work_orders=orders, user=plant.planner)
    return time.perf_counter() - started


def fill_listed(plant, listed: int) -> int:
    from django.db import connection

    from mes.models import WorkOrder

    have = WorkOrder.objects.filter(reference="bench").count()
    if have < listed:
        template = drafts(plant, 1)[0]
        print(f"adding {listed - have} work orders...", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(COPY_ORDERS, {"start": have + 1, "stop": listed, "template": template.pk})
            cursor.execute(COPY_OPERATIONS, {"template": template.pk})
    with connection.cursor() as cursor:
        # As autovacuum leaves a table that stopped changing: counts read the index alone.
        cursor.execute("VACUUM ANALYZE mes_workorder")
        cursor.execute("VACUUM ANALYZE mes_operation")
    return WorkOrder.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--listed", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=9310)
    args = parser.parse_args()

    setup_django()
    import _load
    import _server

    made = plant()
    orders = drafts(made, args.orders)
    print(f"releasing {len(orders)} work orders...", flush=True)
    release_s = time_releases(made, orders)
    from mes.models import WorkOrderReservation

    reserved = WorkOrderReservation.objects.filter(work_order__in=orders).count()
    print(
        f"released {len(orders)} work orders in {release_s:.2f} s (limit {RELEASE_LIMIT_S} s, ratio "
        f"{release_s / RELEASE_LIMIT_S:.2f}); {reserved} reservations"
    )

    total = fill_listed(made, args.listed)
    token = _load.bench_token(made.planner)
    from django.db import connections

    connections.close_all()
    runs = {"work_orders": [], "bare": []}
    env = {"DATABASE_URL": DB_URL, "REDIS_URL": os.environ["REDIS_URL"], "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"}
    server = _server.DeployedServer(env=env, static_root=_server.ROOT / "var" / "bench-static")
    server.port, server.url = args.port, f"http://127.0.0.1:{args.port}"
    server.env["WEB_BIND"] = f"127.0.0.1:{args.port}"
    with server:
        _load.wrk(server.url, mode="work_orders", token=token, connections=1, seconds=2)
        for round_ in range(args.rounds):
            for mode in runs:
                run = _load.wrk(server.url, mode=mode, token=token, connections=1, seconds=args.seconds)
                runs[mode].append(run)
                print(f"  round {round_ + 1} {mode}: {run['rps']} rps, p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms")
    p95 = {mode: max(r["p95_ms"] for r in rs) for mode, rs in runs.items()}
    print(
        f"\nGET /api/v1/mes/work-orders/ with {total} work orders, one client: p95 {p95['work_orders']} ms "
        f"(limit {LIST_LIMIT_MS} ms, ratio {p95['work_orders'] / LIST_LIMIT_MS:.2f}); "
        f"bare endpoint p95 {p95['bare']} ms"
    )
    print(
        json.dumps(
            {
                "benchmark": "mes_release",
                "release_orders": len(orders),
                "release_seconds": round(release_s, 2),
                "release_limit_seconds": RELEASE_LIMIT_S,
                "release_ratio": round(release_s / RELEASE_LIMIT_S, 3),
                "reservations": reserved,
                "listed_work_orders": total,
                "list_p95_ms": p95["work_orders"],
                "list_limit_ms": LIST_LIMIT_MS,
                "list_ratio": round(p95["work_orders"] / LIST_LIMIT_MS, 3),
                "bare_p95_ms": p95["bare"],
                "5xx": sum(r["5xx"] for rs in runs.values() for r in rs),
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
