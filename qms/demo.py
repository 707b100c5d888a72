"""Quality's part of the demo plant: an incoming inspection plan for the inverter PCB (a measured
board thickness and a visual check, Z1.4 at AQL 0.65, level II), so the QC station has the
quarantined opening lot to inspect."""

from decimal import Decimal

from qms.models import Characteristic, InspectionPlan, Stage
from qms.services import inspections
from wms.models import Lot, LotStatus

PCB = "PCB-INV01"
CHARACTERISTICS = [
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


def seed(plant) -> None:
    item = plant.items.get(PCB)
    if item is None:
        return
    characteristics = []
    for spec in CHARACTERISTICS:
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
