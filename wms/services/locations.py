"""Warehouses, zones and bins: creating and changing the places stock is kept.

A bin's code is built from its warehouse, aisle, rack, level and position (`WH1-A-03-2-05`) so
the label tells a walker where it is; codes are unique across the company. A blocked bin takes
no moves in or out (the ledger checks it under the bin's lock) until it is unblocked.
"""

import itertools
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.errors import ValidationFailed
from core.events import publish
from core.locking import lock_site_work
from core.scoping import require_site_access
from wms.models import Bin, StockMove, StockQuant, Warehouse, Zone, ZoneKind

LOCATION_PARTS = ("aisle", "rack", "level", "position")
_PART = re.compile(r"^[A-Za-z0-9]+$")

WAREHOUSE_FIELDS = {"name", "count_variance_pct", "count_variance_value"}
ZONE_FIELDS = {"name", "kind", "allowed_item_types", "allows_hazardous", "temperature_class"}
BIN_FIELDS = {"zone", "max_volume_l", "max_weight_kg", "max_lots", "distance_rank", "pick_sequence", *LOCATION_PARTS}


def _save(instance, user, *, event: str, site, payload: dict) -> None:
    instance._history_user = user
    instance.full_clean()
    instance.save()
    publish(event, payload, site=site, live=False)


def _apply(instance, changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(_("This field cannot be changed here."), field=field, code="read_only")
    for field, value in changes.items():
        setattr(instance, field, value)


@transaction.atomic
def create_warehouse(*, user, site, code: str, name: str, **attributes) -> Warehouse:
    """A new warehouse at `site`; its code starts every bin code inside it."""
    require_site_access(user, site)
    warehouse = Warehouse(site=site, code=(code or "").strip(), name=name)
    _apply(warehouse, attributes, WAREHOUSE_FIELDS)
    _save(warehouse, user, event="wms.warehouse.created", site=site, payload={"warehouse": warehouse.code})
    return warehouse


@transaction.atomic
def update_warehouse(*, warehouse: Warehouse, user, **changes) -> Warehouse:
    """Rename a warehouse or change its count-approval thresholds (its code is on every bin label)."""
    require_site_access(user, warehouse.site_id, message=_("Unknown warehouse."))
    warehouse = Warehouse.objects.select_for_update(of=("self",)).select_related("site").get(pk=warehouse.pk)
    _apply(warehouse, changes, WAREHOUSE_FIELDS)
    _save(warehouse, user, event="wms.warehouse.updated", site=warehouse.site, payload={"warehouse": warehouse.code})
    return warehouse


@transaction.atomic
def create_zone(*, user, warehouse: Warehouse, code: str, name: str, kind: str, **attributes) -> Zone:
    """A zone of a warehouse with its storage rules (item types, hazards, temperature)."""
    require_site_access(user, warehouse.site_id, message=_("Unknown warehouse."))
    if kind not in ZoneKind.values:
        raise ValidationFailed(_("Unknown zone kind."), field="kind", code="invalid_choice")
    zone = Zone(warehouse=warehouse, code=(code or "").strip(), name=name, kind=kind)
    _apply(zone, attributes, ZONE_FIELDS)
    _save(
        zone,
        user,
        event="wms.zone.created",
        site=warehouse.site,
        payload={"warehouse": warehouse.code, "zone": zone.code, "kind": kind},
    )
    return zone


@transaction.atomic
def update_zone(*, zone: Zone, user, **changes) -> Zone:
    """Change a zone's name, kind or storage rules (stock already stored there stays where it is)."""
    require_site_access(user, zone.warehouse.site_id, message=_("Unknown zone."))
    zone = Zone.objects.select_for_update(of=("self",)).select_related("warehouse__site").get(pk=zone.pk)
    _apply(zone, changes, ZONE_FIELDS)
    _save(
        zone,
        user,
        event="wms.zone.updated",
        site=zone.warehouse.site,
        payload={"warehouse": zone.warehouse.code, "zone": zone.code, "kind": zone.kind},
    )
    return zone


def build_bin_code(*, warehouse: Warehouse, aisle: str, rack: str = "", level: str = "", position: str = "") -> str:
    """`warehouse-aisle-rack-level-position`, leaving out the parts a location does not have
    (a receiving dock may be just `WH1-DOCK`). Parts are letters and digits only."""
    parts = {"aisle": aisle, "rack": rack, "level": level, "position": position}
    cleaned = {}
    for name, value in parts.items():
        value = (value or "").strip().upper()
        if value and not _PART.match(value):
            raise ValidationFailed(_("Use letters and digits only."), field=name, code="invalid")
        cleaned[name] = value
    if not cleaned["aisle"]:
        raise ValidationFailed(_("A bin needs at least an aisle."), field="aisle", code="required")
    present = [cleaned[name] for name in LOCATION_PARTS]
    # A gap (rack empty but level given) would make two different places print alike.
    seen_gap = False
    for name, value in zip(LOCATION_PARTS, present, strict=True):
        if not value:
            seen_gap = True
        elif seen_gap:
            raise ValidationFailed(
                _("Give the parts in order: aisle, rack, level, position."), field=name, code="location_gap"
            )
    return "-".join([warehouse.code, *[value for value in present if value]])


def _lock_bin(bin_: Bin, user) -> Bin:
    """The bin, locked like the ledger locks it (FOR NO KEY UPDATE, no other row), after checking
    that the user works at its site."""
    require_site_access(user, bin_.warehouse.site_id, message=_("Unknown bin."))
    return Bin.objects.select_for_update(no_key=True, of=("self",)).select_related("warehouse__site").get(pk=bin_.pk)


def _check_code_free(code: str, *, exclude_pk=None) -> None:
    taken = Bin.objects.filter(code__iexact=code)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationFailed(
            _("Bin %(code)s already exists.") % {"code": code}, field="code", code="duplicate_bin_code"
        )


def _check_zone(zone: Zone, warehouse: Warehouse) -> None:
    if zone.warehouse_id != warehouse.pk:
        raise ValidationFailed(_("The zone belongs to another warehouse."), field="zone", code="zone_mismatch")


@transaction.atomic
def create_bin(
    *, user, warehouse: Warehouse, zone: Zone, aisle: str, rack: str = "", level: str = "", position: str = "", **attrs
) -> Bin:
    """A new bin; its code is built from its location and must not exist anywhere in the company."""
    require_site_access(user, warehouse.site_id, message=_("Unknown warehouse."))
    _check_zone(zone, warehouse)
    code = build_bin_code(warehouse=warehouse, aisle=aisle, rack=rack, level=level, position=position)
    _check_code_free(code)
    bin_ = Bin(warehouse=warehouse, zone=zone, code=code)
    parts = dict(zip(LOCATION_PARTS, (aisle, rack, level, position), strict=True))
    _apply(bin_, {name: (value or "").strip().upper() for name, value in parts.items()}, BIN_FIELDS)
    _apply(bin_, attrs, BIN_FIELDS - {"zone", *LOCATION_PARTS})
    _save(
        bin_,
        user,
        event="wms.bin.created",
        site=warehouse.site,
        payload={"bin": code, "warehouse": warehouse.code, "zone": zone.code},
    )
    return bin_


@transaction.atomic
def update_bin(*, bin: Bin, user, **changes) -> Bin:
    """Change a bin's zone, capacity, walking order or location. A new location means a new code,
    which is refused once the bin has stock history (its label is on the shelf and in the ledger)."""
    bin_ = _lock_bin(bin, user)
    _apply(bin_, changes, BIN_FIELDS)
    _check_zone(bin_.zone, bin_.warehouse)
    code = build_bin_code(
        warehouse=bin_.warehouse, aisle=bin_.aisle, rack=bin_.rack, level=bin_.level, position=bin_.position
    )
    if code != bin_.code:
        used = (
            StockMove.objects.filter(from_bin=bin_).exists()
            or StockMove.objects.filter(to_bin=bin_).exists()
            or StockQuant.objects.filter(bin=bin_).exists()
        )
        if used:
            raise ValidationFailed(
                _("Bin %(code)s has stock history; its location cannot change.") % {"code": bin_.code},
                field="code",
                code="bin_in_use",
            )
        _check_code_free(code, exclude_pk=bin_.pk)
        bin_.code = code
    for part in LOCATION_PARTS:
        setattr(bin_, part, (getattr(bin_, part) or "").strip().upper())
    _save(bin_, user, event="wms.bin.updated", site=bin_.warehouse.site, payload={"bin": bin_.code})
    return bin_


@transaction.atomic
def block_bin(*, bin: Bin, user, reason: str) -> Bin:
    """Stop all moves into and out of a bin (damaged rack, count in progress...). The reason is
    shown to whoever scans the bin."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the bin is blocked."), field="reason", code="required")
    bin_ = _lock_bin(bin, user)
    bin_.blocked = True
    bin_.blocked_reason = reason[:200]
    bin_._change_reason = reason[:100]
    _save(bin_, user, event="wms.bin.blocked", site=bin_.warehouse.site, payload={"bin": bin_.code, "reason": reason})
    return bin_


@transaction.atomic
def unblock_bin(*, bin: Bin, user, reason: str = "") -> Bin:
    """Let stock move in and out of the bin again."""
    bin_ = _lock_bin(bin, user)
    bin_.blocked = False
    bin_.blocked_reason = ""
    bin_._change_reason = (reason or _("unblocked"))[:100]
    _save(bin_, user, event="wms.bin.unblocked", site=bin_.warehouse.site, payload={"bin": bin_.code, "reason": reason})
    return bin_


# --- bulk bin generation -------------------------------------------------------------------------

MAX_GENERATED_BINS = 5000
_NUMBER_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")
_LETTER_RANGE = re.compile(r"^([A-Za-z])\s*-\s*([A-Za-z])$")


def expand_range(text: str, *, field: str) -> list[str]:
    """The parts a range names: `01-12` (numbers, zero-padded to the width written), `A-D`
    (letters), a comma list of either (`A,C,F` or `1-3,7`), or one value. Blank: no such part."""
    values: list[str] = []
    for piece in (p.strip() for p in (text or "").split(",")):
        if not piece:
            continue
        number, letter = _NUMBER_RANGE.match(piece), _LETTER_RANGE.match(piece)
        if number:
            first, last = number.groups()
            width = max(len(first), len(last)) if first.startswith("0") or last.startswith("0") else 0
            low, high = int(first), int(last)
            if low > high or high - low >= MAX_GENERATED_BINS:
                raise ValidationFailed(_("Give a range from low to high, e.g. 01-12."), field=field, code="invalid")
            values.extend(str(n).zfill(width) for n in range(low, high + 1))
        elif letter:
            low, high = (ord(c) for c in piece.upper().replace(" ", "").split("-"))
            if low > high:
                raise ValidationFailed(_("Give a range from low to high, e.g. A-D."), field=field, code="invalid")
            values.extend(chr(c) for c in range(low, high + 1))
        elif _PART.match(piece):
            values.append(piece.upper())
        else:
            raise ValidationFailed(
                _("Write a range like 01-12 or A-D, or values separated by commas."), field=field, code="invalid"
            )
    return list(dict.fromkeys(values))  # each part once, in the order given


@dataclass(frozen=True)
class BinPlan:
    """The bins a generation would make: every code in walking order, and which already exist."""

    warehouse: Warehouse
    zone: Zone
    locations: list[dict]  # {"code", "aisle", "rack", "level", "position"}
    existing: list[str]

    @property
    def new(self) -> list[dict]:
        taken = {code.upper() for code in self.existing}
        return [loc for loc in self.locations if loc["code"].upper() not in taken]


def plan_bins(
    *, user, warehouse: Warehouse, zone: Zone, aisles: str, racks: str = "", levels: str = "", positions: str = ""
) -> BinPlan:
    """The codes of every bin of the aisle x rack x level x position grid, without writing:
    what the preview shows and what `generate_bins` then creates."""
    require_site_access(user, warehouse.site_id, message=_("Unknown warehouse."))
    _check_zone(zone, warehouse)
    grids = {
        "aisle": expand_range(aisles, field="aisles"),
        "rack": expand_range(racks, field="racks"),
        "level": expand_range(levels, field="levels"),
        "position": expand_range(positions, field="positions"),
    }
    if not grids["aisle"]:
        raise ValidationFailed(_("Give at least one aisle."), field="aisles", code="required")
    for name, plural in (("rack", "racks"), ("level", "levels"), ("position", "positions")):
        earlier = LOCATION_PARTS[LOCATION_PARTS.index(name) - 1]
        if grids[name] and not grids[earlier]:
            raise ValidationFailed(
                _("Give the parts in order: aisle, rack, level, position."), field=plural, code="location_gap"
            )
    count = 1
    for values in grids.values():
        count *= max(len(values), 1)
    if count > MAX_GENERATED_BINS:
        raise ValidationFailed(
            _("That is %(count)s bins; generate at most %(limit)s at once.")
            % {"count": count, "limit": MAX_GENERATED_BINS},
            field="aisles",
            code="too_many",
        )
    locations = []
    for parts in itertools.product(*(values or [""] for values in grids.values())):
        location = dict(zip(LOCATION_PARTS, parts, strict=True))
        location["code"] = build_bin_code(warehouse=warehouse, **location)
        if len(location["code"]) > Bin._meta.get_field("code").max_length:
            raise ValidationFailed(_("The bin codes would be too long."), field="aisles", code="max_length")
        locations.append(location)
    codes = [location["code"] for location in locations]
    existing = sorted(Bin.objects.filter(code__in=codes).values_list("code", flat=True))
    return BinPlan(warehouse=warehouse, zone=zone, locations=locations, existing=existing)


@dataclass(frozen=True)
class BinGeneration:
    created: list[Bin]
    existing: list[str]


@transaction.atomic
def generate_bins(
    *,
    user,
    warehouse: Warehouse,
    zone: Zone,
    aisles: str,
    racks: str = "",
    levels: str = "",
    positions: str = "",
    **attrs,
) -> BinGeneration:
    """Create every bin of the grid that does not exist yet, in one transaction; the codes that
    already exist are reported, not duplicated. New bins continue the warehouse's walking order."""
    unknown = set(attrs) - (BIN_FIELDS - {"zone", "pick_sequence", *LOCATION_PARTS})
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0], code="read_only")
    require_site_access(user, warehouse.site_id, message=_("Unknown warehouse."))
    # Two generations (or imports) of one site's bins take turns, so the second sees the first's
    # codes as existing instead of failing on the unique code.
    lock_site_work(warehouse.site, "wms.bins.create")
    plan = plan_bins(
        user=user, warehouse=warehouse, zone=zone, aisles=aisles, racks=racks, levels=levels, positions=positions
    )
    start = (Bin.objects.filter(warehouse=warehouse).aggregate(last=Max("pick_sequence"))["last"] or 0) + 10
    bins = []
    for index, location in enumerate(plan.new):
        bin_ = Bin(warehouse=warehouse, zone=zone, pick_sequence=start + index * 10, **location, **attrs)
        bin_.full_clean(validate_unique=False)
        bins.append(bin_)
    created = bulk_create_with_history(bins, Bin, default_user=user) if bins else []
    publish(
        "wms.bins.generated",
        {"warehouse": warehouse.code, "zone": zone.code, "created": len(created), "existing": len(plan.existing)},
        site=warehouse.site,
        live=False,
    )
    return BinGeneration(created=list(created), existing=plan.existing)
