"""The demo plant's master data: a maker of air-conditioner compressors with two plants.

`seed_demo` builds the company, currencies and rates, units, items, partners and one user per
role through the master-data and user services, then lets every other installed app add its
part from its own `<app>.demo` module (`seed(plant)`), in INSTALLED_APPS order, which is the
layer order. Everything runs in one transaction and skips what already exists (matched by code),
so running it again changes nothing.
"""

import importlib
import importlib.util
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from core.models import Company, Currency, ExchangeRate, Item, Partner, Role, Site, Unit, UnitConversion, User
from core.services import master_data, users

# Documented in README.md; `make run` prints it with the logins.
DEMO_PASSWORD = "factory-demo"  # noqa: S105 - public on purpose: the demo logins

COMPANY = {"code": "COOLAIR", "name": "Coolair Compressor Components Co., Ltd."}

CURRENCIES = [
    ("CNY", "Chinese yuan", 2),
    ("USD", "US dollar", 2),
    ("EUR", "Euro", 2),
    ("MXN", "Mexican peso", 2),
]

# CNY buys per unit of currency, by months back from this month (0 = the 1st of this month).
EXCHANGE_RATES = {
    "USD": {2: "7.1280", 1: "7.1460", 0: "7.1125"},
    "EUR": {2: "7.7410", 1: "7.8022", 0: "7.7690"},
    "MXN": {2: "0.3890", 1: "0.3852", 0: "0.3915"},
}

SITES = [
    {
        "code": "SZ",
        "name": "Shenzhen compressor plant",
        "time_zone": "Asia/Shanghai",
        "address": "18 Gaoxin South Road, Nanshan District, Shenzhen, Guangdong, China",
    },
    {
        "code": "MTY",
        "name": "Monterrey assembly plant",
        "time_zone": "America/Monterrey",
        "address": "Av. Industrias 4100, Parque Industrial, Apodaca, Nuevo León, México",
    },
]

# code, name, dimension, size in the dimension's reference unit, decimals
UNITS = [
    ("pcs", "pieces", "count", "1", 0),
    ("box", "box", "count", "1", 0),
    ("cyl", "cylinder", "count", "1", 0),
    ("coil", "coil", "count", "1", 0),
    ("kg", "kilogram", "mass", "1", 3),
    ("g", "gram", "mass", "0.001", 1),
    ("t", "tonne", "mass", "1000", 3),
    ("m", "metre", "length", "1", 3),
    ("mm", "millimetre", "length", "0.001", 1),
    ("m2", "square metre", "area", "1", 3),
    ("l", "litre", "volume", "1", 3),
    ("ml", "millilitre", "volume", "0.001", 0),
    ("kWh", "kilowatt-hour", "energy", "1", 3),
    ("h", "hour", "time", "3600", 2),
    ("min", "minute", "time", "60", 1),
    ("s", "second", "time", "1", 0),
]

# Each item: the material master fields; "packs" are item-specific unit conversions.
ITEMS = [
    {
        "code": "FG-RC25",
        "name": "Rotary compressor RC-25, 2.5 kW, R32",
        "type": "finished",
        "base_unit": "pcs",
        "tracking": "serial",
        "abc_class": "A",
        "standard_cost": "685.00",
        "unit_weight_kg": "9.8",
        "unit_volume_l": "14",
        "packs": {"box": "1"},
    },
    {
        "code": "FG-RC35",
        "name": "Rotary compressor RC-35, 3.5 kW, R32",
        "type": "finished",
        "base_unit": "pcs",
        "tracking": "serial",
        "abc_class": "A",
        "standard_cost": "842.00",
        "unit_weight_kg": "11.6",
        "unit_volume_l": "16",
    },
    {
        "code": "SF-PUMP25",
        "name": "Pump assembly RC-25 (cylinder, roller, shaft), untested",
        "type": "semi_finished",
        "base_unit": "pcs",
        "tracking": "lot",
        "abc_class": "A",
        "standard_cost": "318.00",
        "unit_weight_kg": "4.9",
        "unit_volume_l": "5",
    },
    {
        "code": "SF-STATOR25",
        "name": "Motor stator RC-25, wound and varnished",
        "type": "semi_finished",
        "base_unit": "pcs",
        "tracking": "lot",
        "abc_class": "B",
        "standard_cost": "96.50",
        "unit_weight_kg": "2.3",
        "unit_volume_l": "1.6",
    },
    {
        "code": "PCB-INV01",
        "name": "Inverter controller PCB, 3-phase",
        "type": "raw",
        "base_unit": "pcs",
        "tracking": "lot",
        "inspection_required": True,
        "abc_class": "A",
        "standard_cost": "146.00",
        "unit_weight_kg": "0.35",
        "unit_volume_l": "0.8",
    },
    {
        "code": "HSG-SHELL25",
        "name": "Compressor shell, deep-drawn steel, RC-25",
        "type": "raw",
        "base_unit": "pcs",
        "tracking": "lot",
        "abc_class": "B",
        "standard_cost": "38.40",
        "unit_weight_kg": "2.1",
        "unit_volume_l": "6",
    },
    {
        "code": "HSG-CAP25",
        "name": "Top cap with terminal, RC-25",
        "type": "raw",
        "base_unit": "pcs",
        "tracking": "lot",
        "abc_class": "B",
        "standard_cost": "21.70",
        "unit_weight_kg": "0.8",
        "unit_volume_l": "1.5",
    },
    {
        "code": "CU-952",
        "name": "Copper tube Ø9.52 × 0.8 mm, annealed",
        "type": "raw",
        "base_unit": "m",
        "tracking": "lot",
        "abc_class": "B",
        "standard_cost": "18.60",
        "unit_weight_kg": "0.195",
        "unit_volume_l": "0.09",
        "packs": {"coil": "15"},
    },
    {
        "code": "R32",
        "name": "Refrigerant R32 (difluoromethane)",
        "type": "raw",
        "base_unit": "kg",
        "tracking": "lot",
        "shelf_life_days": 1095,
        "inspection_required": True,
        "abc_class": "A",
        "standard_cost": "42.00",
        "hazard_class": "pressurised",
        "unit_weight_kg": "1",
        "unit_volume_l": "1.1",
        "packs": {"cyl": "10"},
    },
    {
        "code": "OIL-POE68",
        "name": "Compressor oil POE 68",
        "type": "raw",
        "base_unit": "l",
        "tracking": "lot",
        "shelf_life_days": 730,
        "abc_class": "C",
        "standard_cost": "64.00",
        "unit_weight_kg": "0.98",
        "unit_volume_l": "1",
    },
    {
        "code": "SCR-M4X10",
        "name": "Screw M4 × 10, zinc-plated",
        "type": "raw",
        "base_unit": "pcs",
        "tracking": "none",
        "abc_class": "C",
        "standard_cost": "0.0300",
        "unit_weight_kg": "0.0018",
        "unit_volume_l": "0.0004",
        "packs": {"box": "500"},
    },
    {
        "code": "FAN-DC40",
        "name": "Fan motor 40 W, brushless DC",
        "type": "raw",
        "base_unit": "pcs",
        "tracking": "lot",
        "abc_class": "B",
        "standard_cost": "64.80",
        "unit_weight_kg": "1.4",
        "unit_volume_l": "2.2",
    },
    {
        "code": "TP-SIL5",
        "name": "Thermal paste, silicone, 5 W/m·K",
        "type": "consumable",
        "base_unit": "g",
        "tracking": "lot",
        "shelf_life_days": 365,
        "abc_class": "C",
        "standard_cost": "0.1200",
        "temperature_class": "cold",
        "unit_weight_kg": "0.001",
        "unit_volume_l": "0.0004",
    },
    {
        "code": "CTN-600",
        "name": "Carton 600 × 400 × 400 mm, double wall",
        "type": "consumable",
        "base_unit": "pcs",
        "tracking": "none",
        "abc_class": "C",
        "standard_cost": "4.20",
        "unit_weight_kg": "0.9",
        "unit_volume_l": "1.2",
    },
    {
        "code": "SP-BRG6204",
        "name": "Deep-groove ball bearing 6204-2RS (spare)",
        "type": "spare_part",
        "base_unit": "pcs",
        "tracking": "none",
        "abc_class": "C",
        "standard_cost": "12.50",
        "unit_weight_kg": "0.11",
        "unit_volume_l": "0.05",
    },
]

PARTNERS = [
    {"code": "S-HUAXIN", "name": "Huaxin Copper Tube Co., Ltd.", "is_supplier": True, "currency": "CNY",
     "payment_terms_days": 60, "tax_id": "91440300MA5DHX01", "email": "sales@huaxin-copper.example.cn"},
    {"code": "S-LINGNAN", "name": "Lingnan Refrigerants Ltd.", "is_supplier": True, "currency": "CNY",
     "payment_terms_days": 30, "email": "orders@lingnan-gas.example.cn"},
    {"code": "S-BRIGHTPCB", "name": "Shenzhen Brightboard Electronics", "is_supplier": True, "currency": "USD",
     "payment_terms_days": 45, "email": "export@brightboard.example.cn"},
    {"code": "S-RUHRMOT", "name": "Ruhr Antriebstechnik GmbH", "is_supplier": True, "currency": "EUR",
     "payment_terms_days": 30, "tax_id": "DE811234567", "email": "vertrieb@ruhr-antrieb.example.de"},
    {"code": "S-NLFAST", "name": "Sujetadores del Norte S.A. de C.V.", "is_supplier": True, "currency": "MXN",
     "payment_terms_days": 30, "email": "ventas@sujetadores.example.mx"},
    {"code": "C-NORDKLIMA", "name": "Nordklima GmbH", "is_customer": True, "currency": "EUR",
     "payment_terms_days": 60, "tax_id": "DE298765432", "email": "einkauf@nordklima.example.de"},
    {"code": "C-AIRFLOW", "name": "Airflow North America Inc.", "is_customer": True, "currency": "USD",
     "payment_terms_days": 45, "email": "purchasing@airflow-na.example.com"},
    {"code": "C-CLIMAFRESCO", "name": "Climas Fresco S.A. de C.V.", "is_customer": True, "is_supplier": True,
     "currency": "MXN", "payment_terms_days": 30, "email": "compras@climasfresco.example.mx"},
    {"code": "C-HOMECOOL", "name": "Guangzhou HomeCool Appliances Co.", "is_customer": True, "currency": "CNY",
     "payment_terms_days": 30, "email": "supply@homecool.example.cn"},
]  # fmt: skip

# username, first name, last name, roles, sites, badge id
USERS = [
    ("operator", "Wei", "Li", [Role.OPERATOR], ["SZ"], "B-SZ-1001"),
    ("operator_mty", "Carlos", "Garza", [Role.OPERATOR], ["MTY"], "B-MTY-2001"),
    ("supervisor", "Min", "Zhang", [Role.SUPERVISOR], ["SZ"], "B-SZ-1002"),
    ("planner", "Hui", "Chen", [Role.PLANNER], ["SZ"], "B-SZ-1003"),
    ("quality", "Fang", "Wang", [Role.QUALITY], ["SZ"], "B-SZ-1004"),
    ("warehouse", "Jun", "Liu", [Role.WAREHOUSE], ["SZ"], "B-SZ-1005"),
    ("maintenance", "Qiang", "Zhao", [Role.MAINTENANCE], ["SZ"], "B-SZ-1006"),
    ("accountant", "Ling", "Huang", [Role.ACCOUNTANT], ["SZ"], "B-SZ-1007"),
    ("admin", "Ana", "Treviño", [Role.ADMIN], ["SZ", "MTY"], "B-ADM-0001"),
]


@dataclass
class DemoPlant:
    """What the demo seeding built so far, handed from app to app (by code)."""

    today: date
    company: Company | None = None
    currencies: dict[str, Currency] = field(default_factory=dict)
    sites: dict[str, Site] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    partners: dict[str, Partner] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    created: Counter = field(default_factory=Counter)
    extra: dict = field(default_factory=dict)

    def user_for(self, site_code: str, role: str) -> User:
        """The demo user of `role` working at `site_code` (the admin when there is none)."""
        for user in self.users.values():
            if role in user.roles and site_code in {s.code for s in user.sites.all()}:
                return user
        return self.users["admin"]


def _first_of_month(today: date, months_back: int) -> date:
    month_index = today.year * 12 + today.month - 1 - months_back
    return date(month_index // 12, month_index % 12 + 1, 1)


def _get_or_create(plant: DemoPlant, model, lookup: dict, data: dict):
    """The record matching `lookup`, created through the master-data service when missing."""
    existing = model.objects.filter(**lookup).first()
    if existing is not None:
        return existing
    plant.created[model._meta.verbose_name_plural] += 1
    return master_data.create_record(model=model, user=None, data={**lookup, **data})


def _seed_currencies(plant: DemoPlant) -> None:
    for code, name, decimals in CURRENCIES:
        plant.currencies[code] = _get_or_create(plant, Currency, {"code": code}, {"name": name, "decimals": decimals})
    base = plant.currencies["CNY"]
    for code, by_month in EXCHANGE_RATES.items():
        for months_back, rate in by_month.items():
            _get_or_create(
                plant,
                ExchangeRate,
                {
                    "from_currency": plant.currencies[code],
                    "to_currency": base,
                    "valid_from": _first_of_month(plant.today, months_back),
                },
                {"rate": Decimal(rate)},
            )


def _seed_organisation(plant: DemoPlant) -> None:
    plant.company = _get_or_create(
        plant, Company, {"code": COMPANY["code"]}, {"name": COMPANY["name"], "base_currency": plant.currencies["CNY"]}
    )
    for site in SITES:
        data = {k: v for k, v in site.items() if k != "code"}
        plant.sites[site["code"]] = _get_or_create(
            plant, Site, {"code": site["code"]}, {**data, "company": plant.company}
        )


def _seed_units_and_items(plant: DemoPlant) -> None:
    for code, name, dimension, ratio, decimals in UNITS:
        plant.units[code] = _get_or_create(
            plant,
            Unit,
            {"code": code},
            {"name": name, "dimension": dimension, "ratio": Decimal(ratio), "decimals": decimals},
        )
    for spec in ITEMS:
        data = {k: v for k, v in spec.items() if k not in ("code", "packs")}
        data["base_unit"] = plant.units[spec["base_unit"]]
        for decimal_field in ("standard_cost", "unit_weight_kg", "unit_volume_l"):
            if decimal_field in data:
                data[decimal_field] = Decimal(data[decimal_field])
        item = _get_or_create(plant, Item, {"code": spec["code"]}, data)
        plant.items[item.code] = item
        for unit_code, factor in spec.get("packs", {}).items():
            _get_or_create(
                plant, UnitConversion, {"item": item, "unit": plant.units[unit_code]}, {"factor": Decimal(factor)}
            )


def _seed_partners(plant: DemoPlant) -> None:
    for spec in PARTNERS:
        data = {k: v for k, v in spec.items() if k != "code"}
        data["currency"] = plant.currencies[spec["currency"]]
        plant.partners[spec["code"]] = _get_or_create(plant, Partner, {"code": spec["code"]}, data)


def _seed_users(plant: DemoPlant, password: str) -> None:
    for username, first, last, roles, site_codes, badge in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = users.create_user(
                user=None,
                data={
                    "username": username,
                    "password": password,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@coolair.example.com",
                    "badge_id": badge,
                    "is_staff": Role.ADMIN in roles,
                    "is_superuser": Role.ADMIN in roles,
                    "roles": roles,
                    "sites": [plant.sites[code] for code in site_codes],
                },
            )
            plant.created["users"] += 1
        plant.users[username] = user


def demo_apps() -> list:
    """The `<app>.demo` modules of installed apps other than core, in INSTALLED_APPS order."""
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name != "core" and importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


@transaction.atomic
def seed_demo(*, password: str = DEMO_PASSWORD, today: date | None = None) -> DemoPlant:
    """Load the demo plant, skipping what exists. Returns what it built, with counts of new rows."""
    plant = DemoPlant(today=today or timezone.localdate())
    plant.extra["password"] = password  # signatures on the demo's approvals
    _seed_currencies(plant)
    _seed_organisation(plant)
    _seed_units_and_items(plant)
    _seed_partners(plant)
    _seed_users(plant, password)
    for module in demo_apps():
        module.seed(plant)
    return plant
