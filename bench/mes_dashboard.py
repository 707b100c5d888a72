"""Server time of the supervisor dashboard with 200 machines and 2,000 open work orders, on the
deployed server, beside the bare authenticated endpoint in the same run.

Builds (once) its own database `factory_bench_mes_dashboard` (override with
MES_BENCH_DATABASE_URL): one site with 5 areas, 20 work centres on a two-shift calendar, 200
machines each with a day of state history (about 60 intervals: runs, small stops, setups,
breakdowns with a reason), 2,000 released or in-progress work orders of three operations (200 of
them running, one per machine), 12 production reports per running operation today and an ideal
cycle time per machine. Then starts docker-compose.yml's web command (gunicorn) on it, signs the
supervisor in through the login form and loads, with wrk (bench/wrk/api.lua) at
`--connections` open connections, in interleaved rounds:

- bare: `GET /api/v1/core/units/?page_size=1`, the limit (session, permissions, one query);
- page: `GET /mes/dashboard/`, the supervisor's landing page (200 tiles with OEE today, the
  orders against their due dates, WIP per work centre);
- api: `GET /api/v1/mes/dashboard/?site=`, the same as JSON.

Prints each request's p50/p95/p99 and rps, the dashboard's p95 beside the 200 ms limit and the
bare endpoint's p95; one JSON line last.

    python bench/mes_dashboard.py [--connections 2] [--seconds 5] [--rounds 3] [--rebuild]
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _pages

DB_URL = os.environ.get("MES_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory_bench_mes_dashboard")
DATA_VERSION = "mes-dashboard-v1"
SITE = "MB"
USER, PASSWORD = "mesbench", "mes-bench-supervisor-pw"
N_AREAS, N_CENTRES, N_EQUIPMENT, N_ORDERS = 5, 20, 200, 2_000
REPORTS_PER_MACHINE = 12
LIMIT_MS = 200.0
# The wrk modes of bench/wrk/api.lua each request stands for.
WRK_MODES = {"bare": "bare", "page": "dashboard_page", "api": "dashboard_api"}
REQUESTS = {
    "bare": "GET /api/v1/core/units/?page_size=1",
    "page": "GET /mes/dashboard/",
    "api": "GET /api/v1/mes/dashboard/?site=",
}


def _load_data() -> None:
    from datetime import time as clock
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Company, Currency, Item, Site, Unit, User
    from core.roles import sync_roles
    from mes.models import (
        BOM,
        Area,
        DowntimeReason,
        Equipment,
        EquipmentClass,
        EquipmentStateRecord,
        IdealCycleTime,
        Operation,
        ProductionReport,
        Routing,
        Shift,
        ShiftBreak,
        ShiftCalendar,
        WorkCentre,
        WorkOrder,
    )

    sync_roles()
    now = timezone.now()
    with transaction.atomic():
        currency, _ = Currency.objects.get_or_create(code="USD", defaults={"name": "US dollar"})
        company, _ = Company.objects.get_or_create(code="MBCO", defaults={"name": "Bench", "base_currency": currency})
        site, _ = Site.objects.get_or_create(
            code=SITE, defaults={"name": "Dashboard bench plant", "company": company, "time_zone": "Europe/Berlin"}
        )
        pcs, _ = Unit.objects.get_or_create(
            code="pcs", defaults={"name": "pieces", "dimension": "count", "ratio": Decimal(1), "decimals": 0}
        )
        item, _ = Item.objects.get_or_create(
            code="MB-FG", defaults={"name": "Bench product", "type": "finished", "base_unit": pcs}
        )
        user, _ = User.objects.get_or_create(username=USER)
        user.groups.set([Group.objects.get(name="supervisor")])
        user.sites.set([site])

        calendar = ShiftCalendar.objects.create(site=site, code="MB-CAL", name="Two shifts")
        for code, start, end in (("A", clock(6), clock(14)), ("B", clock(14), clock(22))):
            shift = Shift.objects.create(
                calendar=calendar, code=code, name=code, start=start, end=end, weekdays=list(range(7))
            )
            ShiftBreak.objects.create(shift=shift, start=clock(start.hour + 4), end=clock(start.hour + 4, 30))
        areas = Area.objects.bulk_create([Area(site=site, code=f"MB-A{a}", name=f"Hall {a}") for a in range(N_AREAS)])
        centres = WorkCentre.objects.bulk_create(
            [
                WorkCentre(
                    site=site, area=areas[c % N_AREAS], code=f"MB-WC{c:02d}", name=f"Line {c}", calendar=calendar
                )
                for c in range(N_CENTRES)
            ]
        )
        kind, _ = EquipmentClass.objects.get_or_create(code="MB-CNC", defaults={"name": "Machine"})
        breakdown, _ = DowntimeReason.objects.get_or_create(code="MB-JAM", defaults={"name": "Jam"})
        machines = Equipment.objects.bulk_create(
            [
                Equipment(
                    site=site,
                    work_centre=centres[e % N_CENTRES],
                    code=f"MB-EQ{e:03d}",
                    name=f"Machine {e}",
                    equipment_class=kind,
                    state="running",
                    state_since=now,
                )
                for e in range(N_EQUIPMENT)
            ]
        )
        IdealCycleTime.objects.bulk_create(
            [IdealCycleTime(equipment=m, item=item, seconds=Decimal(25)) for m in machines]
        )
        # A day of history per machine: run 50, small stop 3, run 40, breakdown 15, setup 10 (min).
        pattern = [("running", 50), ("idle", 3), ("running", 40), ("down", 15), ("setup", 10)]
        records, states = [], {}
        for number, machine in enumerate(machines):
            at = now - timedelta(hours=24, minutes=number % 60)
            step = 0
            while at < now:
                state, minutes = pattern[step % len(pattern)]
                end = at + timedelta(minutes=minutes)
                records.append(
                    EquipmentStateRecord(
                        equipment=machine,
                        state=state,
                        started_at=at,
                        ended_at=end if end < now else None,
                        reason=breakdown if state == "down" else None,
                    )
                )
                states[machine.pk] = (state, at)
                at, step = end, step + 1
        EquipmentStateRecord.objects.bulk_create(records, batch_size=5_000)
        for machine in machines:
            machine.state, machine.state_since = states[machine.pk]
        Equipment.objects.bulk_update(machines, ["state", "state_since"], batch_size=1_000)

        bom = BOM.objects.create(site=site, item=item, version=1, status="approved")
        routing = Routing.objects.create(site=site, item=item, version=1, status="approved")
        orders = WorkOrder.objects.bulk_create(
            [
                WorkOrder(
                    number=f"WO-{SITE}-{n + 1:06d}",
                    site=site,
                    item=item,
                    quantity=Decimal(100),
                    unit=pcs,
                    due=now + timedelta(hours=(n % 264) - 24),
                    priority=1 + n % 9,
                    status="in_progress" if n < N_EQUIPMENT else "released",
                    bom=bom,
                    routing=routing,
                    released_at=now - timedelta(days=2),
                    started_at=now - timedelta(hours=20) if n < N_EQUIPMENT else None,
                )
                for n in range(N_ORDERS)
            ],
            batch_size=1_000,
        )
        operations = []
        for n, order in enumerate(orders):
            for s, sequence in enumerate((10, 20, 30)):
                running = n < N_EQUIPMENT and s == 0
                operations.append(
                    Operation(
                        work_order=order,
                        sequence=sequence,
                        name=f"Step {sequence}",
                        work_centre=centres[(n + s) % N_CENTRES],
                        equipment=machines[n] if running else None,
                        status="running" if running else ("ready" if s == 0 else "pending"),
                        quantity=Decimal(100),
                        good=Decimal(REPORTS_PER_MACHINE * 4) if running else Decimal(0),
                        scrap=Decimal(REPORTS_PER_MACHINE) if running else Decimal(0),
                        setup_minutes=Decimal(10),
                        run_seconds_per_unit=Decimal(30),
                        started_at=now - timedelta(hours=20) if running else None,
                    )
                )
        Operation.objects.bulk_create(operations, batch_size=2_000)
        running = Operation.objects.filter(work_order__site=site, status="running").select_related("work_order")
        ProductionReport.objects.bulk_create(
            [
                ProductionReport(
                    operation=op,
                    work_order=op.work_order,
                    site=site,
                    equipment_id=op.equipment_id,
                    good=Decimal(4),
                    scrap=Decimal(1),
                    user=user,
                    idempotency_key=f"mb-{op.pk}-{r}",
                )
                for op in running
                for r in range(REPORTS_PER_MACHINE)
            ],
            batch_size=2_000,
        )
    with connection.cursor() as cursor:  # spread the reports over the last 12 hours
        cursor.execute(
            "UPDATE mes_productionreport SET reported_at = now() - (id %% 720) * interval '1 minute' "
            "WHERE site_id = %s",
            [site.pk],
        )
        cursor.execute("ANALYZE")


def _check_landing(opener, landing, base) -> None:
    """The supervisor lands on the dashboard, and it shows every machine."""
    if not landing.geturl().endswith("/mes/dashboard/"):
        raise SystemExit(f"the supervisor did not land on the dashboard: {landing.geturl()}")
    tiles = landing.read().decode().count('class="eq-tile ')
    if tiles != N_EQUIPMENT:
        raise SystemExit(f"the dashboard shows {tiles} tiles, expected {N_EQUIPMENT}")


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
        benchmark="mes_dashboard",
        what=f"{N_EQUIPMENT} machines, {N_ORDERS} open work orders",
        page_name="dashboard",
        requests=REQUESTS,
        results=results,
        runs=runs,
        limit_ms=LIMIT_MS,
        extra={"equipment": N_EQUIPMENT, "open_work_orders": N_ORDERS},
    )


if __name__ == "__main__":
    main()
