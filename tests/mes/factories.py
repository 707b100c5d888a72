"""factory-boy factories for production, and `production_plant()`: a small plant with an approved
BOM and routing, stock at the line and the people who work there."""

from datetime import time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import factory
from django.utils import timezone

from core.roles import sync_roles
from mes.models import (
    Area,
    DowntimeReason,
    Equipment,
    EquipmentClass,
    ScrapReason,
    Shift,
    ShiftBreak,
    ShiftCalendar,
    WorkCentre,
)
from mes.services import definitions, work_orders
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in

PASSWORD = "correct-horse-battery"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"AR{n}")
    name = factory.LazyAttribute(lambda o: f"Area {o.code}")


class ShiftCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftCalendar
        django_get_or_create = ("code",)

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"CAL{n}")
    name = "Two shifts"


class WorkCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCentre
        django_get_or_create = ("code",)

    site = factory.SubFactory(SiteFactory)
    area = factory.SubFactory(AreaFactory, site=factory.SelfAttribute("..site"))
    code = factory.Sequence(lambda n: f"WC{n}")
    name = factory.LazyAttribute(lambda o: f"Work centre {o.code}")


class EquipmentClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EquipmentClass
        django_get_or_create = ("code",)

    code = "CNC"
    name = "CNC machine"


class EquipmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Equipment
        django_get_or_create = ("code",)

    work_centre = factory.SubFactory(WorkCentreFactory)
    site = factory.SelfAttribute("work_centre.site")
    code = factory.Sequence(lambda n: f"EQ{n}")
    name = factory.LazyAttribute(lambda o: f"Machine {o.code}")
    equipment_class = factory.SubFactory(EquipmentClassFactory)
    state_since = factory.LazyFunction(timezone.now)


def production_plant(site=None, *, prefix: str = "T"):
    """A site with a line-side and an output bin, two work centres (three machines), a finished
    lot-tracked item made from two components (one lot-tracked, in stock), its approved BOM and a
    three-step routing, and an operator, a supervisor and a planner of the site."""
    sync_roles()
    site = site or SiteFactory(code=f"{prefix}S")
    warehouse = WarehouseFactory(site=site, code=f"{prefix}WH")
    wip = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="wip", code="WIP"))
    fin = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="finished", code="FIN"))
    quarantine = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="quarantine", code="QUA"))
    calendar = ShiftCalendarFactory(site=site, code=f"{prefix}-CAL")
    day = Shift.objects.create(
        calendar=calendar, code="A", name="Day", start=time(6), end=time(14), weekdays=[0, 1, 2, 3, 4, 5, 6]
    )
    ShiftBreak.objects.create(shift=day, start=time(10), end=time(10, 30), name="Lunch")
    area = AreaFactory(site=site, code=f"{prefix}-AREA")
    machining = WorkCentreFactory(
        site=site, area=area, code=f"{prefix}-MACH", calendar=calendar, line_side_bin=wip, output_bin=wip
    )
    assembly = WorkCentreFactory(
        site=site, area=area, code=f"{prefix}-ASSY", calendar=calendar, line_side_bin=wip, output_bin=fin
    )
    lathe1 = EquipmentFactory(work_centre=machining, code=f"{prefix}-LATHE1")
    lathe2 = EquipmentFactory(work_centre=machining, code=f"{prefix}-LATHE2")
    press = EquipmentFactory(work_centre=assembly, code=f"{prefix}-PRESS1")

    product = ItemFactory(code=f"{prefix}-FG", type="finished", tracking="lot")
    shaft = ItemFactory(code=f"{prefix}-SHAFT", type="raw", tracking="lot")
    screw = ItemFactory(code=f"{prefix}-SCREW", type="raw", tracking="none")
    operator = UserFactory(username=f"{prefix.lower()}operator", roles=["operator"], sites=[site])
    operator2 = UserFactory(username=f"{prefix.lower()}operator2", roles=["operator"], sites=[site])
    supervisor = UserFactory(username=f"{prefix.lower()}supervisor", roles=["supervisor"], sites=[site])
    planner = UserFactory(username=f"{prefix.lower()}planner", roles=["planner"], sites=[site])
    warehouse_user = UserFactory(username=f"{prefix.lower()}warehouse", roles=["warehouse"], sites=[site])

    shaft_lot = LotFactory(item=shaft, site=site, code=f"{prefix}-SH-1")
    stock_in(bin=wip, item=shaft, quantity=100, lot=shaft_lot, user=warehouse_user)
    stock_in(bin=wip, item=screw, quantity=1000, user=warehouse_user)

    bom = definitions.create_bom(
        site=site,
        item=product,
        user=planner,
        lines=[
            {"component": shaft, "quantity": Decimal("1")},
            {"component": screw, "quantity": Decimal("4"), "scrap_factor": Decimal("5")},
        ],
    )
    definitions.approve_bom(bom=bom, user=planner, password=PASSWORD)
    routing = definitions.create_routing(
        site=site,
        item=product,
        user=planner,
        operations=[
            {"sequence": 10, "name": "Turn", "work_centre": machining, "setup_minutes": 15, "run_seconds_per_unit": 60},
            {
                "sequence": 20,
                "name": "Assemble",
                "work_centre": assembly,
                "run_seconds_per_unit": 30,
                "materials": [screw],
            },
            {"sequence": 30, "name": "Pack", "work_centre": assembly, "run_seconds_per_unit": 10},
        ],
    )
    definitions.approve_routing(routing=routing, user=planner, password=PASSWORD)
    unplanned = DowntimeReason.objects.get_or_create(code="UNPLANNED", defaults={"name": "Unplanned"})[0]
    jam = DowntimeReason.objects.get_or_create(code="JAM", defaults={"name": "Jam", "parent": unplanned})[0]
    scrap_reason = ScrapReason.objects.get_or_create(code="DIM", defaults={"name": "Out of dimension"})[0]
    return SimpleNamespace(
        site=site,
        warehouse=warehouse,
        wip=wip,
        fin=fin,
        quarantine=quarantine,
        calendar=calendar,
        shift=day,
        machining=machining,
        assembly=assembly,
        lathe1=lathe1,
        lathe2=lathe2,
        press=press,
        product=product,
        shaft=shaft,
        screw=screw,
        shaft_lot=shaft_lot,
        bom=bom,
        routing=routing,
        operator=operator,
        operator2=operator2,
        supervisor=supervisor,
        planner=planner,
        warehouse_user=warehouse_user,
        jam=jam,
        scrap_reason=scrap_reason,
    )


def released_order(plant, quantity="10", priority=5, due_in_days=2):
    """A released work order of the plant's product."""
    order = work_orders.create_work_order(
        site=plant.site,
        item=plant.product,
        quantity=Decimal(quantity),
        due=timezone.now() + timedelta(days=due_in_days),
        priority=priority,
        user=plant.planner,
    )
    return work_orders.release_work_order(work_order=order, user=plant.planner)
