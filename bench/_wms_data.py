"""Shared setup of the warehouse benchmarks: a PostgreSQL database `factory_bench` holding one
site with 10,000 bins, 2,000 lot-tracked items, 100,000 lots and one stock row per lot.

`bootstrap()` points Django at the bench database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/factory_bench), creates and migrates it when missing, and
loads the data with bulk inserts once; later runs reuse it (`--rebuild` starts over). Stock rows
are inserted directly as the opening balance: what is measured afterwards goes through the
services.
"""

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory_bench")
DATA_VERSION = "wms-v1"

N_BINS = 10_000
N_ITEMS = 2_000
N_LOTS = 100_000
OPENING_QUANTITY = 1_000
BATCH = 5_000


def _create_database_if_missing(url: str) -> bool:
    """True when the database had to be created."""
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone():
            admin.close()
            return False
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    return True


def _drop_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(parts.path.lstrip("/")))
        )
    admin.close()


def bootstrap(*, rebuild: bool = False) -> dict:
    """Set up Django on the bench database with its data; returns the ids the benchmarks use."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = BENCH_DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    # Its own Redis db by default: the delivery tasks it queues are purged at the end.
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
    # Events are handed to the broker as in production (no worker needed: they just queue).
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")
    if rebuild:
        _drop_database(BENCH_DB_URL)
    created = _create_database_if_missing(BENCH_DB_URL)

    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    if created or rebuild:
        print("migrating the bench database...", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    if not _loaded():
        _load()
        print(f"bench data loaded in {time.perf_counter() - started:.1f} s", flush=True)
    return _ids()


def _loaded() -> bool:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'data'")
        row = cursor.fetchone()
    return bool(row and row[0] == DATA_VERSION)


def _load() -> None:
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Company, Currency, Item, Site, Unit, User
    from wms.models import Bin, Lot, StockQuant, Warehouse, Zone

    with transaction.atomic():
        currency, _ = Currency.objects.get_or_create(code="USD", defaults={"name": "US dollar"})
        company, _ = Company.objects.get_or_create(code="BENCH", defaults={"name": "Bench", "base_currency": currency})
        site, _ = Site.objects.get_or_create(code="BENCH", defaults={"name": "Bench plant", "company": company})
        pcs, _ = Unit.objects.get_or_create(
            code="pcs", defaults={"name": "pieces", "dimension": "count", "ratio": Decimal(1), "decimals": 0}
        )
        User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})
        warehouse, _ = Warehouse.objects.get_or_create(code="BW1", defaults={"site": site, "name": "Bench store"})
        zone, _ = Zone.objects.get_or_create(warehouse=warehouse, code="RAW", defaults={"name": "Raw", "kind": "raw"})

        t = time.perf_counter()
        Item.objects.bulk_create(
            [
                Item(
                    code=f"BI-{i:05d}",
                    name=f"Bench item {i}",
                    type="raw",
                    base_unit=pcs,
                    tracking="lot",
                    standard_cost=Decimal("1.25"),
                )
                for i in range(N_ITEMS)
            ],
            batch_size=BATCH,
        )
        items = list(Item.objects.filter(code__startswith="BI-").order_by("code").values_list("id", flat=True))
        bins = []
        for n in range(N_BINS):
            aisle, rest = divmod(n, 500)
            rack, rest = divmod(rest, 20)
            level, position = divmod(rest, 5)
            parts = [f"A{aisle:02d}", f"{rack:02d}", str(level + 1), str(position + 1)]
            bins.append(
                Bin(
                    warehouse=warehouse,
                    zone=zone,
                    code="-".join(["BW1", *parts]),
                    aisle=parts[0],
                    rack=parts[1],
                    level=parts[2],
                    position=parts[3],
                    pick_sequence=n,
                )
            )
        Bin.objects.bulk_create(bins, batch_size=BATCH)
        bin_ids = list(Bin.objects.filter(warehouse=warehouse).order_by("pick_sequence").values_list("id", flat=True))
        print(f"  {len(items)} items, {len(bin_ids)} bins: {time.perf_counter() - t:.1f} s", flush=True)

        t = time.perf_counter()
        now = timezone.now()
        for start in range(0, N_LOTS, BATCH):
            Lot.objects.bulk_create(
                [
                    Lot(item_id=items[k % N_ITEMS], code=f"L{k:06d}", site=site, received_at=now)
                    for k in range(start, min(start + BATCH, N_LOTS))
                ]
            )
        lots = Lot.objects.filter(site=site).values_list("id", "item_id").order_by("id")
        print(f"  {N_LOTS} lots: {time.perf_counter() - t:.1f} s", flush=True)

        t = time.perf_counter()
        batch = []
        for index, (lot_id, item_id) in enumerate(lots.iterator(chunk_size=BATCH)):
            batch.append(
                StockQuant(
                    site=site,
                    item_id=item_id,
                    lot_id=lot_id,
                    bin_id=bin_ids[index % N_BINS],
                    quantity=OPENING_QUANTITY,
                )
            )
            if len(batch) == BATCH:
                StockQuant.objects.bulk_create(batch)
                batch = []
        StockQuant.objects.bulk_create(batch)
        print(f"  {N_LOTS} stock rows: {time.perf_counter() - t:.1f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO bench_meta (key, value) VALUES ('data', %s) ON CONFLICT (key) DO UPDATE SET value = %s",
                [DATA_VERSION, DATA_VERSION],
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def _ids() -> dict:
    from core.models import Item, Site, User
    from wms.models import Bin

    site = Site.objects.get(code="BENCH")
    return {
        "site": site,
        "user": User.objects.get(username="bench"),
        "item_ids": list(Item.objects.filter(code__startswith="BI-").order_by("code").values_list("id", flat=True)),
        "bin_ids": list(
            Bin.objects.filter(warehouse__code="BW1").order_by("pick_sequence").values_list("id", flat=True)
        ),
    }


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; `samples` need not be sorted."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def purge_broker_queue() -> None:
    """Drop the delivery tasks the benchmark queued (no worker runs for the bench)."""
    from django.conf import settings

    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        return
    import redis

    redis.Redis.from_url(url).delete("celery")
