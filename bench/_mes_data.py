"""Production data of the MES benchmarks, in the warehouse bench database (bench/_wms_data.py).

`bootstrap()` loads the warehouse data when missing, then a plant of its own once (prefix "MB"):
the production plant of the MES tests (`tests.mes.factories.production_plant`: an approved BOM
and routing, stock at the line, an operator), `RUNNING` machines in its machining centre and one
released work order per machine whose first operation runs there, each for far more pieces than
a run reports. Later runs reuse what is still running and start more when reports used it up.
"""

from datetime import timedelta
from decimal import Decimal

import _wms_data

PREFIX = "MB"
RUNNING = 200
ORDER_QUANTITY = Decimal(1_000_000)


def bootstrap(*, rebuild: bool = False) -> dict:
    """Ids of the plant: site, operator (user), the running operations (`operations`)."""
    _wms_data.bootstrap(rebuild=rebuild)
    from django.utils import timezone

    from core.models import Site, User
    from mes.models import Equipment, Operation
    from mes.services import operations, work_orders
    from tests.mes.factories import EquipmentFactory, production_plant

    if not Site.objects.filter(code=f"{PREFIX}S").exists():
        print("loading the production plant...", flush=True)
        production_plant(prefix=PREFIX)
    site = Site.objects.get(code=f"{PREFIX}S")
    operator = User.objects.get(username=f"{PREFIX.lower()}operator")
    planner = User.objects.get(username=f"{PREFIX.lower()}planner")
    from core.models import Item
    from mes.models import WorkCentre

    machining = WorkCentre.objects.get(code=f"{PREFIX}-MACH")
    product = Item.objects.get(code=f"{PREFIX}-FG")
    for n in range(Equipment.objects.filter(work_centre=machining).count(), RUNNING):
        EquipmentFactory(work_centre=machining, code=f"{PREFIX}-M{n:04d}")
    running = Operation.objects.filter(work_order__site=site, status="running", sequence=10)
    busy = set(running.values_list("equipment_id", flat=True))
    idle = Equipment.objects.filter(work_centre=machining).exclude(pk__in=busy).order_by("code")
    for equipment in idle[: max(0, RUNNING - len(busy))]:
        order = work_orders.create_work_order(
            site=site,
            item=product,
            quantity=ORDER_QUANTITY,
            due=timezone.now() + timedelta(days=30),
            priority=5,
            user=planner,
        )
        order = work_orders.release_work_order(work_order=order, user=planner)
        operations.start_operation(operation=order.operations.get(sequence=10), user=operator, equipment=equipment)
    ids = list(running.order_by("id").values_list("id", flat=True))
    return {"site": site, "user": operator, "operations": ids}
