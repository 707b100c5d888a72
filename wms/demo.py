"""The demo plant's warehouses: one per site, every zone kind, realistic bins, stock policies and
opening stock received through the ledger, with a few lots in quarantine, on hold and near expiry.

Called by `core.demo.seed_demo` with the plant it built; skips what already exists.
"""

from datetime import timedelta
from decimal import Decimal

from core.models import Role
from wms.models import Bin, ExpectedReceipt, Lot, LotStatus, PickList, StockMove, StockPolicy, Warehouse, Zone
from wms.services import ledger, locations, lots, picking, receiving

OPENING_REFERENCE = "OPENING"

# zone code, name, kind, rules, bins: (aisle, racks, levels, positions), capacity per bin
ZONES = [
    ("RCV", "Receiving dock", "receiving", {}, ("R", 1, 1, 3), {"max_weight_kg": "2000", "max_volume_l": "4000"}),
    (
        "RAW",
        "Raw material racks",
        "raw",
        {"allowed_item_types": ["raw", "consumable", "spare_part"]},
        ("A", 3, 2, 2),
        {"max_weight_kg": "600", "max_volume_l": "1200"},
    ),
    (
        "WIP",
        "Line-side supermarket",
        "wip",
        {"allowed_item_types": ["raw", "semi_finished", "consumable"]},
        ("L", 1, 1, 4),
        {"max_weight_kg": "300", "max_volume_l": "600"},
    ),
    (
        "FIN",
        "Finished goods",
        "finished",
        {"allowed_item_types": ["finished", "semi_finished"]},
        ("F", 2, 2, 2),
        {"max_weight_kg": "1000", "max_volume_l": "2400"},
    ),
    ("QUA", "Quarantine cage", "quarantine", {}, ("Q", 1, 1, 2), {"max_weight_kg": "800"}),
    (
        "HAZ",
        "Gas cylinder store",
        "hazardous",
        {"allowed_item_types": ["raw"], "allows_hazardous": True},
        ("H", 1, 1, 2),
        {"max_weight_kg": "500", "max_lots": 4},
    ),
    ("COLD", "Cold room 2-8 °C", "cold", {"temperature_class": "cold"}, ("C", 1, 1, 2), {"max_lots": 6}),
]

# item, reorder point, safety stock (base unit), the same at both sites
POLICIES = [
    ("PCB-INV01", "150", "60"),
    ("HSG-SHELL25", "300", "120"),
    ("HSG-CAP25", "300", "120"),
    ("CU-952", "400", "150"),
    ("R32", "120", "50"),
    ("OIL-POE68", "40", "15"),
    ("SCR-M4X10", "10000", "4000"),
    ("FAN-DC40", "80", "30"),
    ("TP-SIL5", "500", "200"),
    ("CTN-600", "200", "80"),
    ("SP-BRG6204", "10", "4"),
]

# Opening stock per site: item, zone, bin index in zone, quantity, lot code suffix (None: not
# tracked), lot details. Days are relative to the seeding date.
OPENING = [
    ("PCB-INV01", "RAW", 0, "240", "PCB2609", {"supplier": "S-BRIGHTPCB", "manufactured_days_ago": 40}),
    ("PCB-INV01", "QUA", 0, "120", "PCB2611", {"supplier": "S-BRIGHTPCB", "status": "quarantine"}),
    ("HSG-SHELL25", "RAW", 1, "180", "SH2610", {"supplier": "S-HUAXIN"}),
    ("HSG-CAP25", "RAW", 2, "210", "TC2610", {}),
    ("CU-952", "RAW", 3, "600", "CU2610A", {"supplier": "S-HUAXIN"}),
    ("CU-952", "RAW", 4, "150", "CU2609B", {"supplier": "S-HUAXIN", "hold": "Wall thickness out of tolerance"}),
    ("R32", "HAZ", 0, "180", "R32-2608", {"supplier": "S-LINGNAN", "manufactured_days_ago": 90}),
    ("R32", "HAZ", 1, "40", "R32-2312", {"supplier": "S-LINGNAN", "manufactured_days_ago": 1075}),
    ("OIL-POE68", "RAW", 5, "60", "POE2607", {"manufactured_days_ago": 120}),
    ("SCR-M4X10", "RAW", 6, "25000", None, {}),
    ("FAN-DC40", "RAW", 7, "45", "FAN2610", {"supplier": "S-RUHRMOT"}),
    ("TP-SIL5", "COLD", 0, "1500", "TP2603", {"manufactured_days_ago": 350}),
    ("TP-SIL5", "COLD", 1, "2500", "TP2610", {"manufactured_days_ago": 20}),
    ("CTN-600", "RAW", 8, "400", None, {}),
    ("SP-BRG6204", "RAW", 9, "24", None, {}),
    ("SF-STATOR25", "WIP", 0, "60", "ST2611", {}),
    ("SF-PUMP25", "WIP", 1, "35", "PU2611", {}),
]

# Finished compressors: serial numbers per site and model.
SERIALS = [("FG-RC25", "FIN", 0, 6), ("FG-RC35", "FIN", 1, 4)]


# What the plant has already used today, so turnover, days of supply and ABC have figures: issues
# to a finished work order and one shipment (item, zone, bin index, quantity, lot suffix or serial).
USAGE = [
    ("issue", "WO-{site}-0000", "PCB-INV01", "RAW", 0, "40", "PCB2609"),
    ("issue", "WO-{site}-0000", "HSG-SHELL25", "RAW", 1, "40", "SH2610"),
    ("issue", "WO-{site}-0000", "HSG-CAP25", "RAW", 2, "40", "TC2610"),
    ("issue", "WO-{site}-0000", "CU-952", "RAW", 3, "96", "CU2610A"),
    ("issue", "WO-{site}-0000", "OIL-POE68", "RAW", 5, "8", "POE2607"),
    ("issue", "WO-{site}-0000", "SCR-M4X10", "RAW", 6, "320", None),
    ("issue", "WO-{site}-0000", "CTN-600", "RAW", 8, "40", None),
    ("shipment", "SO-{site}-0000", "FG-RC25", "FIN", 0, "1", "RC25-{site}-000006"),
]


# Deliveries announced by suppliers: site, supplier, reference, days from now, lines (item,
# quantity, unit or None for the base unit). They are numbered by the site's sequence like every
# new document (GR-SZ-000001); the reference (the purchase order) keeps seeding idempotent.
EXPECTED_RECEIPTS = [
    ("SZ", "S-BRIGHTPCB", "PO-SZ-4500123", 2, [("PCB-INV01", "300", None)]),
    ("SZ", "S-LINGNAN", "PO-SZ-4500127", 1, [("R32", "6", "cyl"), ("OIL-POE68", "40", None)]),
    ("SZ", "S-HUAXIN", "PO-SZ-4500131", 5, [("CU-952", "20", "coil"), ("HSG-SHELL25", "200", None)]),
    ("MTY", "S-NLFAST", "PO-MTY-7700045", 3, [("SCR-M4X10", "20", "box"), ("CTN-600", "300", None)]),
]

# Open pick lists: site, purpose, reference, destination (zone, bin index) or None, lines;
# numbered by the site's sequence (PL-SZ-000001), found again by their reference.
PICK_LISTS = [
    (
        "SZ",
        "staging",
        "WO-SZ-0001",
        ("WIP", 2),
        [("PCB-INV01", "20"), ("HSG-SHELL25", "20"), ("SCR-M4X10", "160")],
    ),
    ("SZ", "shipment", "SO-SZ-0001 C-HOMECOOL", None, [("FG-RC25", "2"), ("FG-RC35", "1")]),
    ("MTY", "shipment", "SO-MTY-0001 C-AIRFLOW", None, [("FG-RC25", "2")]),
]


def _seed_documents(plant, site, bins: dict[str, list[Bin]]) -> None:
    """Open expected receipts and pick lists through the receiving and picking services."""
    planner = plant.user_for(site.code, Role.PLANNER)
    for site_code, supplier, reference, days, lines in EXPECTED_RECEIPTS:
        if site_code != site.code or ExpectedReceipt.objects.filter(site=site, reference=reference).exists():
            continue
        receiving.create_expected_receipt(
            site=site,
            supplier=plant.partners[supplier],
            reference=reference,
            expected_date=plant.today + timedelta(days=days),
            user=planner,
            lines=[
                {"item": plant.items[item], "quantity": Decimal(qty), "unit": plant.units[unit] if unit else None}
                for item, qty, unit in lines
            ],
        )
        plant.created["expected receipts"] += 1
    for site_code, purpose, reference, destination, lines in PICK_LISTS:
        if site_code != site.code or PickList.objects.filter(site=site, reference=reference).exists():
            continue
        picking.create_pick_list(
            site=site,
            purpose=purpose,
            reference=reference,
            destination_bin=bins[destination[0]][destination[1]] if destination else None,
            user=planner,
            lines=[{"item": plant.items[item], "quantity": Decimal(qty)} for item, qty in lines],
        )
        plant.created["pick lists"] += 1


def _warehouse_code(site_code: str) -> str:
    return f"{site_code}1"


def _seed_layout(plant, site, user) -> dict[str, list[Bin]]:
    """The warehouse of `site` with a zone of every kind and its bins, walk order included."""
    code = _warehouse_code(site.code)
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        warehouse = locations.create_warehouse(user=user, site=site, code=code, name=f"{site.name} warehouse")
        plant.created["warehouses"] += 1
    bins_by_zone: dict[str, list[Bin]] = {}
    sequence = 0
    for zone_code, name, kind, rules, (aisle, racks, levels, positions), capacity in ZONES:
        zone = Zone.objects.filter(warehouse=warehouse, code=zone_code).first()
        if zone is None:
            zone = locations.create_zone(user=user, warehouse=warehouse, code=zone_code, name=name, kind=kind, **rules)
            plant.created["zones"] += 1
        zone_bins = []
        for rack in range(1, racks + 1):
            for level in range(1, levels + 1):
                # Serpentine walk: odd racks upwards, even racks back down.
                order = range(1, positions + 1) if rack % 2 else range(positions, 0, -1)
                for position in order:
                    sequence += 10
                    parts = {"aisle": aisle, "rack": f"{rack:02d}", "level": str(level), "position": f"{position:02d}"}
                    bin_code = locations.build_bin_code(warehouse=warehouse, **parts)
                    bin_ = Bin.objects.filter(code=bin_code).first()
                    if bin_ is None:
                        attrs = {
                            key: (value if key == "max_lots" else Decimal(value)) for key, value in capacity.items()
                        }
                        if level > 1 and "max_weight_kg" in attrs:
                            attrs["max_weight_kg"] = attrs["max_weight_kg"] / 2  # upper beams carry less
                        bin_ = locations.create_bin(
                            user=user,
                            warehouse=warehouse,
                            zone=zone,
                            distance_rank=sequence // 10,
                            pick_sequence=sequence,
                            **parts,
                            **attrs,
                        )
                        plant.created["bins"] += 1
                    zone_bins.append(bin_)
        bins_by_zone[zone_code] = sorted(zone_bins, key=lambda b: b.pick_sequence)
    return bins_by_zone


def _seed_policies(plant, site) -> None:
    for item_code, reorder_point, safety_stock in POLICIES:
        _, created = StockPolicy.objects.get_or_create(
            site=site,
            item=plant.items[item_code],
            defaults={"reorder_point": Decimal(reorder_point), "safety_stock": Decimal(safety_stock)},
        )
        if created:
            plant.created["stock policies"] += 1


def _receive(plant, *, site, user, item, bin_, quantity, lot_code=None, attributes=None) -> None:
    """One opening-stock receipt through the ledger, unless it was posted before."""
    done = StockMove.objects.filter(site=site, item=item, to_bin=bin_, reference=OPENING_REFERENCE)
    if lot_code is not None:
        done = done.filter(lot__code=lot_code)
    if done.exists():
        return
    ledger.post_move(
        kind="receipt",
        item=item,
        quantity=Decimal(quantity),
        user=user,
        lot_code=lot_code,
        to_bin=bin_,
        reference=OPENING_REFERENCE,
        reason="Opening stock",
        lot_attributes=attributes or {},
    )
    plant.created["opening receipts"] += 1


def _seed_opening_stock(plant, site, bins: dict[str, list[Bin]], user) -> None:
    for item_code, zone_code, index, quantity, lot_suffix, details in OPENING:
        item = plant.items[item_code]
        lot_code = f"{site.code}-{lot_suffix}" if lot_suffix else None
        attributes = {}
        if lot_code:
            if "supplier" in details:
                attributes["supplier"] = plant.partners[details["supplier"]]
                attributes["supplier_lot"] = f"{details['supplier'][2:5]}{lot_suffix}"
            if "manufactured_days_ago" in details:
                attributes["manufactured_on"] = plant.today - timedelta(days=details["manufactured_days_ago"])
            if "status" in details:
                attributes["status"] = details["status"]
        _receive(
            plant,
            site=site,
            user=user,
            item=item,
            bin_=bins[zone_code][index],
            quantity=quantity,
            lot_code=lot_code,
            attributes=attributes,
        )
        if lot_code and "hold" in details:
            lot = Lot.objects.get(item=item, code=lot_code)
            if lot.status == LotStatus.AVAILABLE:
                quality = plant.user_for(site.code, Role.QUALITY)
                lots.hold_lot(lot=lot, user=quality, reason=details["hold"])
                plant.created["lots put on hold"] += 1
    for item_code, zone_code, index, count in SERIALS:
        item = plant.items[item_code]
        for number in range(1, count + 1):
            serial = f"{item_code[3:]}-{site.code}-{number:06d}"
            _receive(plant, site=site, user=user, item=item, bin_=bins[zone_code][index], quantity="1", lot_code=serial)


def _seed_usage(plant, site, bins: dict[str, list[Bin]], user) -> None:
    for kind, reference, item_code, zone_code, index, quantity, lot_suffix in USAGE:
        reference = reference.format(site=site.code)
        item = plant.items[item_code]
        if StockMove.objects.filter(site=site, item=item, reference=reference).exists():
            continue
        lot = None
        if lot_suffix:
            code = lot_suffix.format(site=site.code) if "{site}" in lot_suffix else f"{site.code}-{lot_suffix}"
            lot = Lot.objects.get(item=item, code=code)
        ledger.post_move(
            kind=kind,
            item=item,
            quantity=Decimal(quantity),
            user=user,
            lot=lot,
            from_bin=bins[zone_code][index],
            reference=reference,
            reason="Demo usage",
        )
        plant.created["usage moves"] += 1


def seed(plant) -> None:
    """Add each site's warehouse, policies and opening stock to the demo plant."""
    for site in plant.sites.values():
        user = plant.user_for(site.code, Role.WAREHOUSE)
        bins = _seed_layout(plant, site, user)
        _seed_policies(plant, site)
        _seed_opening_stock(plant, site, bins, user)
        _seed_usage(plant, site, bins, user)
        _seed_documents(plant, site, bins)
        plant.extra.setdefault("wms_bins", {})[site.code] = bins
