"""Warehouses, zones and bins: creating and changing the places stock is kept.

A bin's code is built from its warehouse, aisle, rack, level and position (`WH1-A-03-2-05`) so
the label tells a walker where it is; codes are unique across the company. A blocked bin takes
no moves in or out (the ledger checks it under the bin's lock) until it is unblocked.
"""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.events import publish
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
