"""The moves list (`GET /api/v1/wms/moves/`, the ledger's first page) at 10,000 and at 1,000,000
moves, one client, on the deployed web command: its p95 at 1M must stay within 1.5x of its p95
at 10k (the page's count is estimated past 20,000 moves; its lookups are joined in order).

Each size is a copy of the bench database (bench/_wms_data.py) whose ledger is filled with
transfers by one INSERT ... SELECT, kept for later runs (`--rebuild` makes them again). One
client (wrk -c1) asks for the page for `--seconds` at each size, in turn, `--rounds` times.
One JSON line last.

    python bench/api_moves_list.py [--seconds 10] [--rounds 2] [--rebuild]
"""

import argparse
import json
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _load
import _server
import _wms_data

SIZES = {"10k": 10_000, "1M": 1_000_000}

FILL = """
INSERT INTO wms_stockmove (kind, site_id, item_id, lot_id, from_bin_id, to_bin_id, quantity,
                           entered_quantity, entered_unit_id, reference, reason, user_id, created_at)
SELECT 'transfer', lot.site_id, lot.item_id, lot.id, b1.id, b2.id, 1, 1, item.base_unit_id,
       'BENCH-' || n, '', %(user)s, now() - (n || ' seconds')::interval
FROM generate_series(1, %(count)s) AS n
JOIN wms_lot lot ON lot.id = (SELECT min(id) FROM wms_lot) + n %% 100000
JOIN core_item item ON item.id = lot.item_id
JOIN wms_bin b1 ON b1.id = (SELECT min(id) FROM wms_bin) + n %% 10000
JOIN wms_bin b2 ON b2.id = (SELECT min(id) FROM wms_bin) + (n + 1) %% 10000
"""


def admin():
    import psycopg2

    parts = urlparse(_wms_data.BENCH_DB_URL)
    conn = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    conn.autocommit = True
    return conn


def sized_database(label: str, moves: int, *, user_id: int, rebuild: bool) -> str:
    """A copy of the bench database holding `moves` stock moves; its URL."""
    import psycopg2
    from psycopg2 import sql

    source = urlparse(_wms_data.BENCH_DB_URL)
    name = f"{source.path.lstrip('/')}_moves_{label.lower()}"
    url = urlunparse(source._replace(path="/" + name))
    conn = admin()
    with conn.cursor() as cursor:
        if rebuild:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = cursor.fetchone() is not None
        if not exists:
            print(f"copying the bench database to {name}...", flush=True)
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(source.path.lstrip("/"))
                )
            )
    conn.close()
    target = psycopg2.connect(url)
    target.autocommit = True
    with target.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM wms_stockmove")
        have = cursor.fetchone()[0]
        if have < moves:
            print(f"  {name}: adding {moves - have} moves...", flush=True)
            cursor.execute(FILL, {"count": moves - have, "user": user_id})
            cursor.execute("VACUUM ANALYZE wms_stockmove")
    target.close()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    ids = _wms_data.bootstrap()
    token = _load.bench_token(ids["user"])
    from django.db import connections

    connections.close_all()  # a template database must have no other connections
    urls = {label: sized_database(label, n, user_id=ids["user"].pk, rebuild=args.rebuild) for label, n in SIZES.items()}
    runs = {label: [] for label in SIZES}
    for _round in range(args.rounds):
        for label, url in urls.items():
            env = {"DATABASE_URL": url, "WEB_CONCURRENCY": "1", "WEB_THREADS": "2"}
            with _server.DeployedServer(env=env, static_root=_server.ROOT / "var" / "bench-static") as server:
                _load.wrk(server.url, mode="moves", token=token, connections=1, seconds=2)
                run = _load.wrk(server.url, mode="moves", token=token, connections=1, seconds=args.seconds)
            runs[label].append(run)
            print(f"  round {_round + 1} {label}: {run['rps']} rps, p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms")
    p95 = {label: sorted(r["p95_ms"] for r in rs)[len(rs) // 2] for label, rs in runs.items()}
    p50 = {label: sorted(r["p50_ms"] for r in rs)[len(rs) // 2] for label, rs in runs.items()}
    ratio = round(p95["1M"] / p95["10k"], 2) if p95["10k"] else None
    print(f"\nGET /api/v1/wms/moves/, one client: p95 {p95['10k']} ms at 10k moves, {p95['1M']} ms at 1M")
    print(f"1M / 10k p95: {ratio} (limit 1.5)")
    print(
        json.dumps(
            {
                "benchmark": "api_moves_list",
                "p50_ms": p50,
                "p95_ms": p95,
                "p95_ratio_1m_to_10k": ratio,
                "limit": 1.5,
                "5xx": sum(r["5xx"] for rs in runs.values() for r in rs),
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
