"""Quality's part of the demo plant.

- Characteristics of the demo items with a measurement history at each site, evaluated like new
  data, so the SPC board and charts show a real process: one capable, one marginal, one drifting
  out of control and a pass/fail check.
- An incoming inspection plan for the inverter PCB (a measured board thickness and a visual
  check, Z1.4 at AQL 0.65, level II), so the QC station has the quarantined opening lot to inspect.
"""

from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.utils import timezone

from mes.models import Equipment
from qms.models import Characteristic, InspectionPlan, Measurement, Stage
from qms.services import inspections, spc_monitor
from wms.models import Lot, LotStatus

SUBGROUPS = 60

# item, stage, code, name, kind, chart, n, nominal, lsl, usl, unit, work centre, equipment,
# process (mean offset from nominal, sigma, drift per subgroup over the last 8), defect types
CHARACTERISTICS = [
    (
        "SF-PUMP25",
        "in_process",
        "ROTOR-OD",
        "Rotor outside diameter",
        "variable",
        "xbar_r",
        5,
        "42.000",
        "41.975",
        "42.025",
        "mm",
        "CNC01",
        (0.0, 0.004, 0.0),
        [],
    ),
    (
        "SF-PUMP25",
        "in_process",
        "BORE-ID",
        "Rotor bore diameter",
        "variable",
        "xbar_s",
        5,
        "12.000",
        "11.985",
        "12.015",
        "mm",
        "CNC02",
        (0.001, 0.0042, 0.0),
        [],
    ),
    (
        "SF-STATOR25",
        "in_process",
        "BRAZE-GAP",
        "Braze joint gap",
        "variable",
        "imr",
        1,
        "0.150",
        "0.100",
        "0.200",
        "mm",
        "BRZ01",
        (0.0, 0.008, 0.006),
        [],
    ),
    (
        "FG-RC25",
        "final",
        "LEAK",
        "Helium leak test",
        "attribute",
        "p",
        1,
        None,
        None,
        None,
        None,
        "LKT01",
        (0.04, 50, 0.0),
        ["leak at braze joint", "leak at valve"],
    ),
]


def _characteristic(plant, row) -> Characteristic:
    item, stage, code, name, kind, chart, n, nominal, lsl, usl, unit, *_rest = row
    found = Characteristic.objects.filter(item=plant.items[item], stage=stage, code=code).first()
    if found is not None:
        return found
    characteristic = Characteristic(
        item=plant.items[item],
        stage=stage,
        code=code,
        name=name,
        kind=kind,
        chart=chart,
        subgroup_size=n,
        nominal=None if nominal is None else Decimal(nominal),
        lsl=None if lsl is None else Decimal(lsl),
        usl=None if usl is None else Decimal(usl),
        unit=plant.units.get(unit) if unit else None,
        defect_types=row[-1],
        gauge="" if kind == "attribute" else "Digital micrometer",
    )
    characteristic.full_clean()
    characteristic.save()
    plant.created["characteristics"] += 1
    return characteristic


def _history(plant, characteristic, site, row, seed: int) -> None:
    if Measurement.objects.filter(characteristic=characteristic, site=site).exists():
        return
    machine = Equipment.objects.filter(site=site, code__endswith=f"-{row[11]}").first()
    offset, spread, drift = row[12]
    generator = np.random.default_rng(seed)
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30 * SUBGROUPS)
    rows = []
    for index in range(SUBGROUPS):
        at = start + timedelta(minutes=30 * index)
        key = timezone.localtime(at, site.tzinfo).strftime("%m%d-%H%M")
        late = max(0, index - (SUBGROUPS - 8))
        if characteristic.kind == "attribute":
            size = int(spread)
            defective = int(generator.binomial(size, offset))
            rows.append(
                Measurement(
                    characteristic=characteristic,
                    site=site,
                    subgroup=key,
                    count=defective,
                    size=size,
                    defect_type=row[-1][0] if defective else "",
                    measured_at=at,
                    equipment=machine,
                    source="machine",
                )
            )
            continue
        centre = float(characteristic.nominal) + offset + drift * late
        for j, value in enumerate(generator.normal(centre, spread, characteristic.subgroup_size)):
            value = Decimal(str(round(float(value), 4)))
            rows.append(
                Measurement(
                    characteristic=characteristic,
                    site=site,
                    subgroup=key,
                    value=value,
                    out_of_spec=not (characteristic.lsl <= value <= characteristic.usl),
                    measured_at=at + timedelta(seconds=20 * j),
                    equipment=machine,
                    source="manual",
                )
            )
    Measurement.objects.bulk_create(rows)
    plant.created["measurements"] += len(rows)
    spc_monitor.evaluate_new(characteristic=characteristic, site=site)


def seed_spc(plant) -> None:
    """Characteristics of the demo items and, at each site, their recent measurements."""
    for number, row in enumerate(CHARACTERISTICS):
        characteristic = _characteristic(plant, row)
        for index, site in enumerate(plant.sites.values()):
            _history(plant, characteristic, site, row, seed=100 * number + index)


PCB = "PCB-INV01"
PCB_CHARACTERISTICS = [
    {
        "code": "THK",
        "name": "Board thickness",
        "kind": "variable",
        "nominal": Decimal("1.600"),
        "lsl": Decimal("1.500"),
        "usl": Decimal("1.700"),
        "unit": "mm",
        "gauge": "Micrometer MC-25",
        "chart": "xbar_r",
        "subgroup_size": 5,
    },
    {
        "code": "VIS",
        "name": "Solder joints and components (visual)",
        "kind": "attribute",
        "defect_types": ["solder bridge", "missing component", "scratch"],
        "chart": "np",
        "subgroup_size": 1,
    },
]


def seed_inspections(plant) -> None:
    """The incoming plan of the inverter PCB, and the tasks of its lots already in quarantine."""
    item = plant.items.get(PCB)
    if item is None:
        return
    characteristics = []
    for spec in PCB_CHARACTERISTICS:
        values = {**spec, "unit": plant.units.get(spec["unit"]) if "unit" in spec else None}
        characteristic, made = Characteristic.objects.get_or_create(
            item=item, stage=Stage.INCOMING, code=values.pop("code"), defaults=values
        )
        characteristics.append(characteristic)
        if made:
            plant.created["quality characteristics"] += 1
    plan, made = InspectionPlan.objects.get_or_create(
        code=f"INC-{PCB}",
        defaults={
            "name": "Incoming inspection of inverter PCBs",
            "item": item,
            "stage": Stage.INCOMING,
            "sampling": "z14",
            "aql": "0.65",
            "inspection_level": "II",
        },
    )
    if made:
        plan.characteristics.set(characteristics)
        plant.created["inspection plans"] += 1
    # The lots received into quarantine before the plan existed get their incoming inspection.
    for lot in Lot.objects.filter(item=item, status=LotStatus.QUARANTINE).select_related("item", "site"):
        opened = inspections.open_lot_inspections(lot=lot, stage=Stage.INCOMING)
        if opened:
            plant.created["inspection tasks"] += len(opened)


def seed(plant) -> None:
    seed_spc(plant)
    seed_inspections(plant)
