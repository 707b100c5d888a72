"""The demo plant's shop floor: per site two halls, five work centres with their machines, a
two-shift calendar, the compressor FG-RC25 with an approved two-level BOM and a three-step
routing, its components at the line, downtime and scrap reason trees, and two work orders.

Called by `core.demo.seed_demo` after the warehouse; skips what already exists.
"""

from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.models import Role
from mes.models import (
    BOM,
    Area,
    Changeover,
    DowntimeReason,
    Equipment,
    EquipmentClass,
    Holiday,
    IdealCycleTime,
    ItemSetupFamily,
    LabourPool,
    Routing,
    ScrapReason,
    Shift,
    ShiftBreak,
    ShiftCalendar,
    WorkCentre,
    WorkOrder,
)
from mes.services import definitions, work_orders
from mes.services.equipment import create_equipment
from wms.models import Lot, StockMove
from wms.services import ledger

LINE_SIDE_REFERENCE = "LINE-SIDE"

EQUIPMENT_CLASSES = [
    ("CNC-LATHE", "CNC lathe"),
    ("BRAZER", "Induction brazing station"),
    ("ASSY-STATION", "Assembly station"),
    ("LEAK-TESTER", "Helium leak tester"),
]

AREAS = [("MACH", "Machining hall"), ("ASSY", "Assembly hall")]

# code suffix, name, area, output (zone, bin index), equipment: (suffix, name, class, ideal s per FG/pump)
WORK_CENTRES = [
    (
        "CNC",
        "Rotor machining",
        "MACH",
        ("WIP", 1),
        [("CNC01", "Lathe 1", "CNC-LATHE"), ("CNC02", "Lathe 2", "CNC-LATHE")],
    ),
    ("BRZ", "Brazing", "ASSY", ("WIP", 3), [("BRZ01", "Brazer 1", "BRAZER")]),
    (
        "ASY",
        "Compressor assembly",
        "ASSY",
        ("WIP", 3),
        [("ASY01", "Station 1", "ASSY-STATION"), ("ASY02", "Station 2", "ASSY-STATION")],
    ),
    ("LKT", "Charge and leak test", "ASSY", ("FIN", 2), [("LKT01", "Leak tester 1", "LEAK-TESTER")]),
]

# Ideal cycle time (s) per item on the equipment of a work centre.
IDEAL_CYCLES = [
    ("CNC", "SF-PUMP25", "240"),
    ("ASY", "FG-RC25", "150"),
    ("BRZ", "FG-RC25", "90"),
    ("LKT", "FG-RC25", "120"),
]

SHIFTS = [
    ("A", "Early shift", time(6), time(14), (time(10), time(10, 30))),
    ("B", "Late shift", time(14), time(22), (time(18), time(18, 30))),
]
WORKING_DAYS = [0, 1, 2, 3, 4, 5]

# Downtime: planned/unplanned → category → reason.
DOWNTIME_REASONS = [
    ("PLANNED", "Planned stop", None, True),
    ("PL-MAINT", "Maintenance", "PLANNED", True),
    ("PM", "Preventive maintenance", "PL-MAINT", True),
    ("PL-CHANGE", "Changeover", "PLANNED", True),
    ("CHANGEOVER", "Product changeover", "PL-CHANGE", True),
    ("PL-ORG", "Organisation", "PLANNED", True),
    ("MEETING", "Shift meeting", "PL-ORG", True),
    ("UNPLANNED", "Unplanned stop", None, False),
    ("UN-MECH", "Mechanical", "UNPLANNED", False),
    ("JAM", "Jam", "UN-MECH", False),
    ("BREAKDOWN", "Breakdown", "UN-MECH", False),
    ("UN-MAT", "Material", "UNPLANNED", False),
    ("NO-MATERIAL", "No material at the line", "UN-MAT", False),
    ("UN-QUAL", "Quality", "UNPLANNED", False),
    ("QUALITY-CHECK", "Waiting for quality release", "UN-QUAL", False),
]

# Scrap: category → reason.
SCRAP_REASONS = [
    ("SC-DIM", "Dimensional", None),
    ("OVERSIZE", "Oversize", "SC-DIM"),
    ("UNDERSIZE", "Undersize", "SC-DIM"),
    ("SC-BRAZE", "Brazing", None),
    ("LEAK", "Leak found at test", "SC-BRAZE"),
    ("POROSITY", "Porous joint", "SC-BRAZE"),
    ("SC-HANDLING", "Handling", None),
    ("DAMAGED", "Damaged in handling", "SC-HANDLING"),
]

# BOMs per unit: item -> [(component, quantity, scrap factor %, phantom)]. The pump is made here too.
BOMS = {
    "SF-PUMP25": [("CU-952", "1.2", "2", False), ("SCR-M4X10", "4", "0", False)],
    "FG-RC25": [
        ("SF-PUMP25", "1", "0", False),
        ("SF-STATOR25", "1", "0", False),
        ("HSG-SHELL25", "1", "0", False),
        ("HSG-CAP25", "1", "0", False),
        ("SCR-M4X10", "8", "5", False),
        ("OIL-POE68", "0.45", "0", False),
        ("R32", "0.62", "3", False),
    ],
}

# Routings: item -> [(sequence, name, work centre suffix, setup min, run s per unit, skill, materials, instructions)]
ROUTINGS = {
    "SF-PUMP25": [
        (
            10,
            "Turn rotor and crank",
            "CNC",
            "30",
            "300",
            "CNC operator",
            ["CU-952", "SCR-M4X10"],
            "Program P25-ROT; measure the bore every 20 pieces.",
        ),
    ],
    "FG-RC25": [
        (
            10,
            "Assemble pump, stator and shell",
            "ASY",
            "20",
            "180",
            "Assembler",
            ["SF-PUMP25", "SF-STATOR25", "HSG-SHELL25", "SCR-M4X10"],
            "Torque screws to 3.2 N·m in a cross pattern.",
        ),
        (
            20,
            "Braze the top cap",
            "BRZ",
            "15",
            "110",
            "Brazer (certified)",
            ["HSG-CAP25"],
            "Purge with nitrogen; braze at 720 °C for 18 s.",
        ),
        (
            30,
            "Charge oil and refrigerant, leak test",
            "LKT",
            "10",
            "140",
            "Tester",
            ["OIL-POE68", "R32"],
            "Helium test below 3 g/a; print the serial label.",
        ),
    ],
}

# Stock moved from the racks to the line-side bin of the assembly (item, raw bin index, quantity, lot suffix).
LINE_SIDE = [
    ("HSG-SHELL25", 1, "20", "SH2610"),
    ("HSG-CAP25", 2, "20", "TC2610"),
    ("SCR-M4X10", 6, "400", None),
    ("OIL-POE68", 5, "10", "POE2607"),
]

# Workers of each routing skill per site, for the scheduler's labour constraints.
LABOUR_POOLS = [("CNC operator", 2), ("Assembler", 3), ("Brazer (certified)", 1), ("Tester", 2)]

# Setup families (rotor size at the lathes, refrigerant at the leak test) and each work centre's
# changeover minutes between them; the 35 mm rotor and R290 are the families that come next.
SETUP_FAMILIES = [("SF-PUMP25", "ROTOR-25"), ("FG-RC25", "R32")]
CHANGEOVERS = [
    ("CNC", "ROTOR-25", "ROTOR-35", 40),
    ("CNC", "ROTOR-35", "ROTOR-25", 35),
    ("LKT", "R32", "R290", 60),
    ("LKT", "R290", "R32", 45),
]

# Work orders: reference, item, quantity, days to due, priority, released?
WORK_ORDERS = [("DEMO-{site}-1", "FG-RC25", "20", 2, 2, True), ("DEMO-{site}-2", "FG-RC25", "12", 5, 5, False)]


def _reasons(plant) -> None:
    for model, rows in ((DowntimeReason, DOWNTIME_REASONS), (ScrapReason, SCRAP_REASONS)):
        for row in rows:
            code, name, parent = row[:3]
            if model.objects.filter(code=code).exists():
                continue
            extra = {"planned": row[3]} if model is DowntimeReason else {}
            model.objects.create(code=code, name=name, parent=model.objects.filter(code=parent).first(), **extra)
            plant.created[str(model._meta.verbose_name_plural)] += 1


def _classes(plant) -> dict[str, EquipmentClass]:
    classes = {}
    for code, name in EQUIPMENT_CLASSES:
        classes[code], created = EquipmentClass.objects.get_or_create(code=code, defaults={"name": name})
        if created:
            plant.created["equipment classes"] += 1
    return classes


def _calendar(plant, site) -> ShiftCalendar:
    calendar, created = ShiftCalendar.objects.get_or_create(
        code=f"{site.code}-2SHIFT", defaults={"site": site, "name": "Two shifts, Monday to Saturday"}
    )
    if created:
        plant.created["shift calendars"] += 1
        for code, name, start, end, (break_start, break_end) in SHIFTS:
            shift = Shift.objects.create(
                calendar=calendar, code=code, name=name, start=start, end=end, weekdays=WORKING_DAYS
            )
            ShiftBreak.objects.create(shift=shift, start=break_start, end=break_end, name="Break")
        Holiday.objects.create(calendar=calendar, date=date(plant.today.year + 1, 1, 1), name="New Year's Day")
    return calendar


def _work_centres(plant, site, calendar, classes, bins) -> dict[str, WorkCentre]:
    areas = {}
    for code, name in AREAS:
        areas[code], created = Area.objects.get_or_create(
            code=f"{site.code}-{code}", defaults={"site": site, "name": name}
        )
        if created:
            plant.created["areas"] += 1
    centres = {}
    for suffix, name, area, (zone, index), machines in WORK_CENTRES:
        centre, created = WorkCentre.objects.get_or_create(
            code=f"{site.code}-{suffix}",
            defaults={
                "site": site,
                "area": areas[area],
                "name": name,
                "calendar": calendar,
                "output_bin": bins[zone][index],
                "line_side_bin": bins["WIP"][3],
            },
        )
        if created:
            plant.created["work centres"] += 1
        centres[suffix] = centre
        for eq_suffix, eq_name, class_code in machines:
            code = f"{site.code}-{eq_suffix}"
            if not Equipment.objects.filter(code=code).exists():
                create_equipment(work_centre=centre, code=code, name=eq_name, equipment_class=classes[class_code])
                plant.created["equipment"] += 1
    for suffix, item_code, seconds in IDEAL_CYCLES:
        for equipment in centres[suffix].equipment.all():
            _, created = IdealCycleTime.objects.get_or_create(
                equipment=equipment, item=plant.items[item_code], defaults={"seconds": Decimal(seconds)}
            )
            if created:
                plant.created["ideal cycle times"] += 1
    return centres


def _definitions(plant, site, centres) -> None:
    planner = plant.user_for(site.code, Role.PLANNER)
    approver = plant.users["admin"]
    password = plant.extra.get("password")
    for item_code, lines in BOMS.items():
        item = plant.items[item_code]
        if BOM.objects.filter(site=site, item=item).exists():
            continue
        bom = definitions.create_bom(
            site=site,
            item=item,
            user=approver if planner == approver else planner,
            valid_from=plant.today,
            lines=[
                {
                    "component": plant.items[c],
                    "quantity": Decimal(q),
                    "scrap_factor": Decimal(s),
                    "phantom": phantom,
                }
                for c, q, s, phantom in lines
            ],
        )
        definitions.approve_bom(bom=bom, user=approver, password=password, reason="Demo plant release")
        plant.created["bills of materials"] += 1
    for item_code, steps in ROUTINGS.items():
        item = plant.items[item_code]
        if Routing.objects.filter(site=site, item=item).exists():
            continue
        routing = definitions.create_routing(
            site=site,
            item=item,
            user=approver if planner == approver else planner,
            valid_from=plant.today,
            operations=[
                {
                    "sequence": sequence,
                    "name": name,
                    "work_centre": centres[centre],
                    "eligible_equipment": list(centres[centre].equipment.all()),
                    "setup_minutes": Decimal(setup),
                    "run_seconds_per_unit": Decimal(run),
                    "skill": skill,
                    "materials": [plant.items[m] for m in materials],
                    "instructions": instructions,
                }
                for sequence, name, centre, setup, run, skill, materials, instructions in steps
            ],
        )
        definitions.approve_routing(routing=routing, user=approver, password=password, reason="Demo plant release")
        plant.created["routings"] += 1


def _workforce(plant, site, centres) -> None:
    for skill, capacity in LABOUR_POOLS:
        _, created = LabourPool.objects.get_or_create(site=site, skill=skill, defaults={"capacity": capacity})
        if created:
            plant.created["labour pools"] += 1
    for item_code, family in SETUP_FAMILIES:
        _, created = ItemSetupFamily.objects.get_or_create(
            site=site, item=plant.items[item_code], defaults={"family": family}
        )
        if created:
            plant.created["setup families"] += 1
    for suffix, before, after, minutes in CHANGEOVERS:
        _, created = Changeover.objects.get_or_create(
            work_centre=centres[suffix], from_family=before, to_family=after, defaults={"minutes": minutes}
        )
        if created:
            plant.created["changeovers"] += 1


def _line_side_stock(plant, site, bins) -> None:
    user = plant.user_for(site.code, Role.WAREHOUSE)
    line_side = bins["WIP"][3]
    for item_code, index, quantity, lot_suffix in LINE_SIDE:
        item = plant.items[item_code]
        if StockMove.objects.filter(item=item, to_bin=line_side, reference=LINE_SIDE_REFERENCE).exists():
            continue
        lot = Lot.objects.get(item=item, code=f"{site.code}-{lot_suffix}") if lot_suffix else None
        ledger.post_move(
            kind="transfer",
            item=item,
            quantity=Decimal(quantity),
            user=user,
            lot=lot,
            from_bin=bins["RAW"][index],
            to_bin=line_side,
            reference=LINE_SIDE_REFERENCE,
            reason="Line-side replenishment",
        )
        plant.created["line-side transfers"] += 1


def _work_orders(plant, site) -> None:
    planner = plant.user_for(site.code, Role.PLANNER)
    for reference, item_code, quantity, days, priority, release in WORK_ORDERS:
        reference = reference.format(site=site.code)
        if WorkOrder.objects.filter(site=site, reference=reference).exists():
            continue
        order = work_orders.create_work_order(
            site=site,
            item=plant.items[item_code],
            quantity=Decimal(quantity),
            due=timezone.now() + timedelta(days=days),
            priority=priority,
            reference=reference,
            user=planner,
        )
        if release:
            work_orders.release_work_order(work_order=order, user=planner)
        plant.created["work orders"] += 1


def seed(plant) -> None:
    """Add each site's shop floor to the demo plant."""
    _reasons(plant)
    classes = _classes(plant)
    for site in plant.sites.values():
        bins = plant.extra["wms_bins"][site.code]
        calendar = _calendar(plant, site)
        centres = _work_centres(plant, site, calendar, classes, bins)
        _definitions(plant, site, centres)
        _workforce(plant, site, centres)
        _line_side_stock(plant, site, bins)
        _work_orders(plant, site)
    seed_alerts(plant)


# --- alert rules and critical process parameters ------------------------------------------------

# class, tag, condition, fields, severity, message, recommended actions (most likely cure first)
ALERT_RULES = [
    (
        "CNC-LATHE",
        "spindle_temp",
        "above",
        {"threshold": 75.0, "hold_seconds": 20},
        "warning",
        "Spindle over temperature",
        ["Check coolant flow and nozzle", "Reduce feed rate", "Check the spindle bearings"],
    ),
    (
        "CNC-LATHE",
        "spindle_temp",
        "rate_above",
        {"threshold": 5.0, "window_seconds": 60},
        "warning",
        "Spindle heating up fast",
        ["Check coolant flow and nozzle", "Reduce spindle speed"],
    ),
    (
        "CNC-LATHE",
        "vibration",
        "above",
        {"threshold": 7.1, "hold_seconds": 10},
        "critical",
        "Vibration above 7.1 mm/s",
        ["Check tool wear and change the insert", "Check the workpiece clamping", "Balance the chuck"],
    ),
    (
        "CNC-LATHE",
        "coolant_pressure",
        "below",
        {"threshold": 2.0, "hold_seconds": 15},
        "warning",
        "Low coolant pressure",
        ["Check the supply valve", "Check hoses and fittings for leaks", "Clean the coolant filter"],
    ),
    (
        "BRAZER",
        "temp",
        "outside_limits",
        {"hold_seconds": 5},
        "critical",
        "Brazing temperature outside the process window",
        ["Check the induction coil position", "Check the pyrometer lens", "Recalibrate the temperature controller"],
    ),
    (
        "BRAZER",
        "n2_pressure",
        "below",
        {"threshold": 1.5, "hold_seconds": 5},
        "critical",
        "Low nitrogen purge pressure",
        ["Check the supply valve", "Check the line for leaks", "Change the nitrogen bottle"],
    ),
    (
        "LEAK-TESTER",
        "chamber_pressure",
        "above",
        {"threshold": 0.05, "hold_seconds": 30},
        "warning",
        "Test chamber does not reach vacuum",
        ["Check the chamber door seal", "Check the vacuum pump oil", "Check the supply valve"],
    ),
    (
        "LEAK-TESTER",
        "",
        "no_data",
        {"hold_seconds": 120},
        "info",
        "Leak tester silent for two minutes",
        ["Check the network cable and the controller", "Restart the data gateway"],
    ),
]
STOPPAGE_CLASSES = ["CNC-LATHE", "BRAZER", "ASSY-STATION", "LEAK-TESTER"]
STOPPAGE_ACTIONS = ["Call maintenance", "Record the downtime reason", "Check for a jam or a tool break"]
# routing item, step sequence, tag, low, high, unit
PROCESS_PARAMETERS = [("FG-RC25", 20, "temp", 700.0, 740.0, "°C")]


def _alert_rules(plant, site) -> None:
    from mes.models import AlertRule, EquipmentClass

    classes = {c.code: c for c in EquipmentClass.objects.filter(code__in=STOPPAGE_CLASSES)}
    rows = [(*row[:3], dict(row[3]), *row[4:]) for row in ALERT_RULES]
    rows += [
        (
            code,
            "",
            "state_for",
            {"state": "down", "minutes": 10},
            "critical",
            "Down for more than 10 minutes",
            STOPPAGE_ACTIONS,
        )
        for code in STOPPAGE_CLASSES
    ]
    for class_code, tag, condition, fields, severity, message, actions in rows:
        name = f"{site.code} {class_code}: {message}"
        if class_code not in classes or AlertRule.objects.filter(site=site, name=name).exists():
            continue
        AlertRule.objects.create(
            site=site,
            name=name,
            equipment_class=classes[class_code],
            tag=tag,
            condition=condition,
            severity=severity,
            message=message,
            recommended_actions=actions,
            **fields,
        )
        plant.created["alert rules"] += 1
    from mes.models import ProcessParameter, RoutingOperation

    for item_code, sequence, tag, low, high, unit in PROCESS_PARAMETERS:
        step = RoutingOperation.objects.filter(
            routing__site=site, routing__item__code=item_code, routing__status="approved", sequence=sequence
        ).first()
        if step is None:
            continue
        _, created = ProcessParameter.objects.get_or_create(
            routing_operation=step, tag=tag, defaults={"low": low, "high": high, "unit": unit}
        )
        if created:
            plant.created["critical process parameters"] += 1


def seed_alerts(plant) -> None:
    """The demo plant's alert rules (temperature, pressure, vibration, stoppages, silence) per
    site on its equipment classes, and the brazing step's temperature window."""
    for site in plant.sites.values():
        _alert_rules(plant, site)
