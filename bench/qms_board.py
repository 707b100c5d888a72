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

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pages

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


def _check_landing(opener, landing, base) -> None:
    """The board shows every characteristic."""
    board = opener.open(f"{base}/qms/spc/", timeout=60)
    tiles = board.read().decode().count('class="spc-tile ')
    if tiles != N_CHARACTERISTICS:
        raise SystemExit(f"the board shows {tiles} tiles, expected {N_CHARACTERISTICS}")


def main() -> None:
    args = _pages.arguments(__doc__.splitlines()[0])
    _pages.bootstrap(
        db_url=DB_URL,
        data_version=DATA_VERSION,
        load_data=_load_data,
        user=USER,
        password=PASSWORD,
        rebuild=args.rebuild,
    )
    results, runs = _pages.run_rounds(
        args,
        db_url=DB_URL,
        requests=REQUESTS,
        wrk_modes=WRK_MODES,
        site=SITE,
        sign_in_to=lambda base: _pages.sign_in(base, USER, PASSWORD, check=_check_landing),
    )
    _pages.report(
        args,
        benchmark="qms_board",
        what=f"{N_CHARACTERISTICS} characteristics",
        page_name="board",
        requests=REQUESTS,
        results=results,
        runs=runs,
        limit_ms=LIMIT_MS,
        extra={"characteristics": N_CHARACTERISTICS},
    )


if __name__ == "__main__":
    main()
