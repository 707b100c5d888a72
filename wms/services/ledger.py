"""The stock ledger: the one function that changes on-hand stock.

Every receipt, putaway, issue, return, production receipt, shipment, adjustment and scrap is a
call to `post_move`. It validates the request, locks what it touches in the one lock order of
`core.locking` (bins, then the lot of a serial number, then stock rows, each in primary-key
order, so concurrent moves cannot deadlock), refuses anything that would make stock negative or
take stock that open pick lines hold (`wms.selectors.availability`), updates the on-hand rows,
writes the immutable move and publishes `wms.stock.moved` in the same transaction.

A transfer costs five statements besides the transaction's own: lock both bins (reading the
lot's status and site in the same query), lock both stock rows (reading what pick lines hold),
one update of both rows, the move, and the event with its outbox rows. The target stock row is inserted only
when missing, and the consumed-lot check runs only after outbound moves.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import site_today
from core.errors import NotFound, ValidationFailed
from core.events import publish
from core.models import Item, Site, Unit
from core.quantities import parse_quantity, plain_quantity
from core.scoping import require_site_access
from core.units import to_base_unit
from wms.errors import BinBlocked, BinOverCapacity, InsufficientStock, LotNotAvailable, ZoneRuleViolation
from wms.models import (
    HOLDING_LIST_STATUSES,
    USABLE_LOT_STATUSES,
    Bin,
    Lot,
    LotStatus,
    MoveKind,
    PickLine,
    PickLineStatus,
    StockMove,
    StockQuant,
    Warehouse,
    ZoneKind,
)
from wms.services import lots as lot_services

QUANTUM = Decimal("0.000001")


@dataclass(frozen=True)
class KindRule:
    needs_from: bool | None  # True: required, False: forbidden, None: see `one_of`
    needs_to: bool | None
    creates_lot: bool = False  # an unknown lot code creates the lot
    needs_usable_lot: bool = False  # the lot must be available (not held, quarantined, expired)
    checks_capacity: bool = True


KIND_RULES: dict[str, KindRule] = {
    MoveKind.RECEIPT: KindRule(False, True, creates_lot=True),
    MoveKind.PRODUCTION_RECEIPT: KindRule(False, True, creates_lot=True),
    MoveKind.RETURN: KindRule(False, True),
    MoveKind.TRANSFER: KindRule(True, True),
    MoveKind.ISSUE: KindRule(True, False, needs_usable_lot=True),
    MoveKind.SHIPMENT: KindRule(True, False, needs_usable_lot=True),
    MoveKind.SCRAP: KindRule(True, False),
    # Exactly one bin: from_bin lowers stock, to_bin raises it (count corrections reflect what is
    # physically there, so they are not refused for capacity).
    MoveKind.ADJUSTMENT: KindRule(None, None, creates_lot=True, checks_capacity=False),
}

OUTBOUND_CONSUMING = {MoveKind.ISSUE, MoveKind.SHIPMENT, MoveKind.SCRAP}
# Moves that take only what pick lists do not hold. Scrap and adjustments record what physically
# happened (damage, a count) and are never refused for an allocation; the pick comes up short.
HONOURS_ALLOCATIONS = {MoveKind.ISSUE, MoveKind.SHIPMENT, MoveKind.TRANSFER}


def post_move(
    *,
    kind: str,
    item: Item,
    quantity: Decimal,
    user,
    unit: Unit | None = None,
    lot: Lot | None = None,
    lot_code: str | None = None,
    from_bin: Bin | None = None,
    to_bin: Bin | None = None,
    reference: str = "",
    reason: str = "",
    lot_attributes: dict | None = None,
    allocation: PickLine | None = None,
) -> StockMove:
    """Post one stock move and keep on-hand stock in step. Returns the move.

    `lot` or `lot_code` names the lot of a lot- or serial-tracked item; lots belong to one site,
    so a code is looked up at the bins' site only (another site's lot is an unknown lot). For
    receipts a new code creates the lot (with `lot_attributes`: supplier, supplier_lot,
    manufactured_on, expiry, status). Outbound moves may take only what open pick lines do not
    hold; `allocation` is the pick line this move fulfils (its own hold is not counted).
    Raises a DomainError (nothing written) when the move is not possible.
    """
    with transaction.atomic():
        return _post_move(
            kind=kind,
            item=item,
            quantity=quantity,
            user=user,
            unit=unit,
            lot=lot,
            lot_code=lot_code,
            from_bin=from_bin,
            to_bin=to_bin,
            reference=reference,
            reason=reason,
            lot_attributes=lot_attributes or {},
            allocation=allocation,
        )


def _post_move(
    *, kind, item, quantity, user, unit, lot, lot_code, from_bin, to_bin, reference, reason, lot_attributes, allocation
):
    rule = KIND_RULES.get(kind)
    if rule is None:
        raise ValidationFailed(_("Unknown kind of move: %(kind)s.") % {"kind": kind}, field="kind")
    _check_bins(kind, rule, from_bin, to_bin)
    entered_unit = unit or item.base_unit
    entered_quantity = parse_quantity(quantity)
    base_quantity = _in_base_unit(entered_quantity, entered_unit, item)
    site_id = (from_bin or to_bin).warehouse.site_id
    require_site_access(user, site_id, message=_("Unknown bin."))
    lot, lot_code = _lot_of_request(item, lot, lot_code)

    # 1. Bins (blocking and capacity are decided under their lock), with the lot's state (a lot
    # named by code is looked up at the bins' site by the same statement).
    locked = _lock_bins(
        [b for b in (from_bin, to_bin) if b is not None],
        lot,
        lot_code=(item.pk, site_id, lot_code) if lot is None and lot_code else None,
    )
    if lot is None and lot_code:
        lot = locked[(from_bin or to_bin).pk].get("lot")
    for bin_ in (from_bin, to_bin):
        if bin_ is None:
            continue
        state = locked[bin_.pk]
        bin_.blocked, bin_.blocked_reason = state["blocked"], state["blocked_reason"]
        if bin_.blocked and bin_.blocked_reason:
            raise BinBlocked(
                _("Bin %(bin)s is blocked: %(why)s.") % {"bin": bin_.code, "why": bin_.blocked_reason},
            )
        if bin_.blocked:
            raise BinBlocked(_("Bin %(bin)s is blocked.") % {"bin": bin_.code})
    if lot is not None and lot.pk is not None:
        _refresh_lot(lot, locked[(from_bin or to_bin).pk], item, site_id)
    elif item.is_lot_tracked:
        lot = _new_lot(item, lot_code, rule, from_bin or to_bin, user, lot_attributes)
    # A pick (a move fulfilling a pick line) uses the lot even when it only transfers it to the
    # line side: a held, quarantined or expired lot is not picked.
    _check_lot(kind, rule, item, lot, base_quantity, from_bin or to_bin, picking=allocation is not None)
    if from_bin is not None and rule.needs_usable_lot and locked[from_bin.pk]["zone"]["kind"] == ZoneKind.QUARANTINE:
        raise LotNotAvailable(
            _("Bin %(bin)s is in quarantine: put the stock away before using it.") % {"bin": from_bin.code}
        )
    if to_bin is not None:
        _check_zone(kind, item, lot, locked[to_bin.pk]["zone"])
        if item.tracking == "serial" and from_bin is None:
            _check_serial_free(lot)  # 2. the lot: a serial is on hand at most once, in all bins

    # 3. Stock rows, in primary-key order; the target row is inserted only when missing.
    honours_allocations = kind in HONOURS_ALLOCATIONS
    quants = _lock_quants(item, lot, from_bin, to_bin, held=honours_allocations, allocation=allocation)
    if to_bin is not None and to_bin.pk not in quants:
        inserted = _insert_quant(site_id, item, to_bin, lot, timezone.now())
        if inserted is not None:
            quants[to_bin.pk] = inserted
        else:
            quants.update(_lock_quants(item, lot, None, to_bin, held=False, allocation=None))
    source = quants.get(from_bin.pk) if from_bin is not None else None
    target = quants.get(to_bin.pk) if to_bin is not None else None
    if from_bin is not None:
        on_hand = source["quantity"] if source else Decimal(0)
        held = source["held"] if source and honours_allocations else Decimal(0)
        if on_hand - held < base_quantity:
            _refuse_insufficient(item, lot, from_bin, on_hand, held, base_quantity)
    if target is not None:
        if rule.checks_capacity and kind != MoveKind.ADJUSTMENT:
            _check_capacity(to_bin, locked[to_bin.pk], item, lot, base_quantity)
        if item.tracking == "serial" and target["quantity"] + base_quantity > 1:
            raise ValidationFailed(_("A serial number is a single piece."), field="quantity", code="serial_quantity")

    now = timezone.now()
    _change_on_hand(
        [(row["pk"], delta) for row, delta in ((source, -base_quantity), (target, base_quantity)) if row is not None],
        now,
    )

    site = _site_of(from_bin or to_bin)
    move = StockMove(
        kind=kind,
        site=site,
        item=item,
        lot=lot,
        from_bin=from_bin,
        to_bin=to_bin,
        quantity=base_quantity,
        entered_quantity=entered_quantity,
        entered_unit=entered_unit,
        reference=reference[:100],
        reason=reason[:300],
        user=user,
        created_at=now,
    )
    _insert_move(move)
    if lot is not None:
        _sync_consumed(kind, lot, source, base_quantity, user)
    publish(
        "wms.stock.moved",
        {
            "move": move.pk,
            "kind": kind,
            "item": item.code,
            "lot": lot.code if lot else None,
            "from_bin": from_bin.code if from_bin else None,
            "to_bin": to_bin.code if to_bin else None,
            "quantity": str(base_quantity),
            "unit": item.base_unit.code,
            "reference": move.reference,
        },
        site=site,
    )
    return move


def _site_of(bin_: Bin) -> Site:
    """The bin's site, without a query when the caller loaded it."""
    warehouse = bin_.warehouse
    if not Warehouse.site.is_cached(warehouse):
        warehouse.site = Site.objects.get(pk=warehouse.site_id)
    return warehouse.site


def _refuse_insufficient(item, lot, from_bin, on_hand: Decimal, held: Decimal, wanted: Decimal) -> None:
    params = {
        "bin": from_bin.code,
        "available": plain_quantity(on_hand),
        "free": plain_quantity(max(on_hand - held, Decimal(0))),
        "held": plain_quantity(held),
        "unit": item.base_unit.code,
        "item": item.code,
        "lot": lot.code if lot else "",
        "wanted": plain_quantity(wanted),
    }
    if held > 0:
        message = _(
            "Bin %(bin)s holds %(available)s %(unit)s of %(item)s %(lot)s, of which pick lists hold %(held)s; "
            "%(free)s free, %(wanted)s requested."
        )
    elif lot is not None:
        message = _("Bin %(bin)s holds %(available)s %(unit)s of %(item)s lot %(lot)s; %(wanted)s requested.")
    else:
        message = _("Bin %(bin)s holds %(available)s %(unit)s of %(item)s; %(wanted)s requested.")
    raise InsufficientStock(message % params)


def _in_base_unit(quantity: Decimal, unit: Unit, item: Item) -> Decimal:
    base = to_base_unit(quantity, unit, item).quantize(QUANTUM, rounding=ROUND_HALF_UP)
    decimals = item.base_unit.decimals
    if base != base.quantize(Decimal(1).scaleb(-decimals)):
        raise ValidationFailed(
            _("%(quantity)s %(unit)s is not a valid quantity of %(base)s (at most %(decimals)s decimals).")
            % {
                "quantity": plain_quantity(quantity),
                "unit": unit.code,
                "base": item.base_unit.code,
                "decimals": decimals,
            },
            field="quantity",
            code="quantity_precision",
        )
    if base <= 0:
        raise ValidationFailed(
            _("The quantity must be greater than zero."), field="quantity", code="quantity_not_positive"
        )
    return base


def _check_bins(kind, rule: KindRule, from_bin, to_bin) -> None:
    if rule.needs_from is None:
        if (from_bin is None) == (to_bin is None):
            raise ValidationFailed(
                _("An adjustment names exactly one bin: from_bin to lower stock, to_bin to raise it."),
                field="from_bin",
                code="adjustment_bins",
            )
        return
    for bin_, needed, field in ((from_bin, rule.needs_from, "from_bin"), (to_bin, rule.needs_to, "to_bin")):
        if needed and bin_ is None:
            raise ValidationFailed(_("This kind of move needs this bin."), field=field, code="required")
        if not needed and bin_ is not None:
            raise ValidationFailed(_("This kind of move does not take this bin."), field=field, code="not_allowed")
    if from_bin is not None and to_bin is not None:
        if from_bin.pk == to_bin.pk:
            raise ValidationFailed(_("Source and destination are the same bin."), field="to_bin", code="same_bin")
        if from_bin.warehouse.site_id != to_bin.warehouse.site_id:
            raise ValidationFailed(
                _("Bins of two sites: ship from one and receive at the other."),
                field="to_bin",
                code="cross_site",
            )


def _dec(value) -> Decimal | None:
    return None if value is None else value if isinstance(value, Decimal) else Decimal(str(value))


def _for_update(alias: str, *, no_key: bool) -> str:
    """The row-lock clause for `alias` in this database's dialect ("" where writes lock all)."""
    if not connection.features.has_select_for_update:
        return ""
    return " " + connection.ops.for_update_sql(of=(alias,), no_key=no_key)


_LOT_COLUMNS = None


def _lot_columns() -> list[str]:
    global _LOT_COLUMNS
    if _LOT_COLUMNS is None:
        _LOT_COLUMNS = [field.attname for field in Lot._meta.concrete_fields]
    return _LOT_COLUMNS


def _lock_bins(bins: list[Bin], lot: Lot | None, *, lot_code: tuple | None = None) -> dict[int, dict]:
    """Lock the bins (FOR NO KEY UPDATE: inserts that only reference a bin are not held up) and
    read, in the same statement, each bin's zone rules (the zone row is read, not locked: zones
    change through setup, not moves) and the known lot's status, expiry, item and site, or,
    with `lot_code` (item id, site id, code), the whole lot of that code (`"lot"`: the record,
    or None when there is none). Plain SQL: this runs on every move, and building it through
    the ORM cost more than running it."""
    ids = sorted({b.pk for b in bins})
    lot_id = lot.pk if lot is not None else None
    columns = _lot_columns()
    if lot_code is not None:
        join, join_params = "l.item_id = %s AND l.site_id = %s AND l.code = %s", list(lot_code)
    else:
        join, join_params = "l.id = %s", [lot_id]
    sql = (
        "SELECT b.id, b.blocked, b.blocked_reason, b.zone_id, b.max_lots, b.max_volume_l, b.max_weight_kg, "  # noqa: S608 - placeholders only
        "z.code, z.kind, z.allowed_item_types, z.allows_hazardous, z.temperature_class, "
        + ", ".join(f"l.{column}" for column in columns)
        + f" FROM wms_bin b JOIN wms_zone z ON z.id = b.zone_id LEFT JOIN wms_lot l ON {join} "
        f"WHERE b.id IN ({', '.join(['%s'] * len(ids))}) ORDER BY b.id" + _for_update("b", no_key=True)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*join_params, *ids])
        rows = cursor.fetchall()
    if len(rows) != len(ids):
        raise NotFound(_("Unknown bin."))
    locked = {}
    found = None
    for row in rows:
        pk, blocked, why, zone_id, max_lots, max_volume, max_weight = row[:7]
        zone_code, zone_kind, item_types, hazardous, temperature = row[7:12]
        lot_row = row[12:]
        if isinstance(item_types, str):
            item_types = json.loads(item_types)
        locked[pk] = {
            "blocked": bool(blocked),
            "blocked_reason": why,
            "zone_id": zone_id,
            "zone": {
                "code": zone_code,
                "kind": zone_kind,
                "allowed_item_types": item_types or [],
                "allows_hazardous": bool(hazardous),
                "temperature_class": temperature,
            },
            "max_lots": max_lots,
            "max_volume_l": _dec(max_volume),
            "max_weight_kg": _dec(max_weight),
        }
        values = dict(zip(columns, lot_row, strict=True))
        if lot_code is not None:
            if found is None and values["id"] is not None:
                found = Lot.from_db(connection.alias, columns, _lot_values(list(lot_row)))
            locked[pk]["lot"] = found
        if lot_id is not None or found is not None:
            expiry = values["expiry"]
            if isinstance(expiry, str):
                expiry = date.fromisoformat(expiry)
            locked[pk].update(
                lot_status=values["status"],
                lot_expiry=expiry,
                lot_item_id=values["item_id"],
                lot_site_id=values["site_id"],
            )
    return locked


def _lot_values(row: list) -> list:
    """A lot's columns as the ORM reads them (SQLite answers dates and datetimes as text)."""
    if connection.vendor == "postgresql":
        return row
    converted = []
    for field, value in zip(Lot._meta.concrete_fields, row, strict=True):
        for converter in field.get_db_converters(connection) + connection.ops.get_db_converters(field):
            value = converter(value, field, connection)
        converted.append(value)
    return converted


def _unknown_lot(item, code: str) -> ValidationFailed:
    return ValidationFailed(
        _("Unknown lot %(lot)s of %(item)s.") % {"lot": code, "item": item.code}, field="lot", code="unknown_lot"
    )


def _lot_of_request(item, lot, lot_code) -> tuple[Lot | None, str | None]:
    """The lot named by the caller: the record given, or the code to look up (at the site of the
    move's bins only: lots are per site), or neither for an item not tracked by lot."""
    if not item.is_lot_tracked:
        if lot is not None or lot_code:
            raise ValidationFailed(
                _("%(item)s is not tracked by lot.") % {"item": item.code}, field="lot", code="lot_not_tracked"
            )
        return None, None
    if lot is not None:
        return lot, None
    if not lot_code or not lot_code.strip():
        raise ValidationFailed(
            _("%(item)s is tracked by lot: give the lot or serial number.") % {"item": item.code},
            field="lot",
            code="lot_required",
        )
    return None, lot_code.strip()


def _refresh_lot(lot: Lot, state: dict, item, site_id) -> None:
    """Decide on the lot as committed now (read with the bin locks), not on the caller's copy."""
    if "lot_status" in state:
        if state["lot_status"] is None or state["lot_site_id"] != site_id:
            raise _unknown_lot(item, lot.code)
        if state["lot_item_id"] != item.pk:
            raise ValidationFailed(_("This lot belongs to another item."), field="lot", code="lot_item_mismatch")
        lot.status, lot.expiry, lot.site_id = state["lot_status"], state["lot_expiry"], state["lot_site_id"]
    lot.item = item


def _new_lot(item, lot_code, rule, bin_, user, attributes) -> Lot:
    code = lot_code.strip()
    if not rule.creates_lot:
        raise _unknown_lot(item, code)
    lot = _create_lot_once(item, code, _site_of(bin_), user, attributes)
    lot.item = item
    return lot


def _create_lot_once(item, code, site, user, attributes) -> Lot:
    """Create the lot of a receipt. Two receipts into the same new code at once (into different
    bins, so not serialised by the bin locks) create it once: the loser of the unique-index race
    uses the winner's lot."""
    try:
        with transaction.atomic():
            return lot_services.create_lot(item=item, code=code, site=site, user=user, **attributes)
    except (IntegrityError, DjangoValidationError):
        # The winner committed before our uniqueness check (ValidationError) or after it
        # (IntegrityError); anything else wrong with the new lot is raised as it was.
        existing = Lot.objects.filter(item=item, site_id=site.pk, code=code).first()
        if existing is None:
            raise
        return existing


def _check_serial_free(lot: Lot) -> None:
    """A serial number is on hand at most once across all bins. Decided under the lot's lock
    (after the bins, before the stock rows), so parallel receipts into different bins queue."""
    Lot.objects.select_for_update(no_key=True).filter(pk=lot.pk).values_list("pk").first()
    if StockQuant.objects.filter(lot=lot, quantity__gt=0).exists():
        raise ValidationFailed(
            _("Serial number %(lot)s is already on hand.") % {"lot": lot.code}, field="lot", code="serial_on_hand"
        )


def _check_lot(
    kind, rule: KindRule, item, lot: Lot | None, quantity: Decimal, bin_: Bin, *, picking: bool = False
) -> None:
    if lot is None:
        return
    if item.tracking == "serial" and quantity != 1:
        raise ValidationFailed(_("A serial number is a single piece."), field="quantity", code="serial_quantity")
    # A consumed lot has no stock left anywhere: the stock check answers (insufficient_stock),
    # which is what a picker racing the last piece needs to hear.
    if (rule.needs_usable_lot or picking) and lot.status != LotStatus.CONSUMED:
        if lot.status not in USABLE_LOT_STATUSES:
            raise LotNotAvailable(
                _("Lot %(lot)s is %(status)s and cannot be used.")
                % {"lot": lot.code, "status": lot.get_status_display()},
            )
        if lot.expiry is not None and not lot_services.is_usable(lot, today=site_today(_site_of(bin_))):
            raise LotNotAvailable(_("Lot %(lot)s expired on %(date)s.") % {"lot": lot.code, "date": lot.expiry})


def _check_zone(kind, item: Item, lot: Lot | None, zone: dict) -> None:
    """Storage rules of the destination zone (`zone`: the row read with the bin's lock).

    - A quarantine zone takes only lots that are not available (quarantined, on hold, rejected,
      expired): untracked stock and available lots are refused. Adjustments are exempt (a count
      records what is physically there).
    - A hazardous zone takes hazardous items only; a hazardous item goes only where hazardous
      goods are allowed; cold items only to cold zones; a zone's item types, when listed.
    - A quarantined lot stays in receiving or quarantine until quality releases it.
    """
    params = {"zone": zone["code"], "item": item.code, "lot": lot.code if lot is not None else ""}
    if zone["kind"] == ZoneKind.QUARANTINE:
        if kind == MoveKind.ADJUSTMENT:
            return
        if lot is None:
            raise ZoneRuleViolation(
                _(
                    "Zone %(zone)s is a quarantine zone: it takes only lots that quality has set aside; %(item)s is not tracked by lot."
                )
                % params
            )
        if lot.status in (LotStatus.AVAILABLE, LotStatus.CONSUMED):
            raise ZoneRuleViolation(
                _("Lot %(lot)s is available: quarantine zone %(zone)s takes only lots that are not.") % params
            )
        return
    if zone["allowed_item_types"] and item.type not in zone["allowed_item_types"]:
        raise ZoneRuleViolation(
            _("Zone %(zone)s does not take %(type)s items.") % {**params, "type": item.get_type_display()},
        )
    if zone["kind"] == ZoneKind.HAZARDOUS and not item.hazard_class:
        raise ZoneRuleViolation(_("Zone %(zone)s takes hazardous items only; %(item)s is not hazardous.") % params)
    if item.hazard_class and not zone["allows_hazardous"]:
        raise ZoneRuleViolation(_("%(item)s is hazardous; zone %(zone)s is not.") % params)
    if item.temperature_class == "cold" and zone["temperature_class"] != "cold":
        raise ZoneRuleViolation(_("%(item)s must be kept cold; zone %(zone)s is not.") % params)
    if lot is not None and lot.status == LotStatus.QUARANTINE and zone["kind"] != ZoneKind.RECEIVING:
        raise ZoneRuleViolation(
            _("Lot %(lot)s is in quarantine: it stays in receiving or quarantine until released.") % params,
        )


def _lock_quants(item, lot, from_bin, to_bin, *, held: bool, allocation) -> dict[int, dict]:
    """Lock the stock rows of `item`/`lot` in the given bins (primary-key order); bin id -> row.
    With `held` (an outbound move), each row carries what open pick lines other than
    `allocation` (the line being picked, if any) hold there (`wms.selectors.availability`'s
    rule, inlined so the lock and the read are one statement)."""
    bins = [b.pk for b in (from_bin, to_bin) if b is not None]
    same_lot = "q.lot_id = %s" if lot is not None else "q.lot_id IS NULL"
    params: list = []
    held_sql = "0"
    if held:
        statuses = ", ".join(["%s"] * len(HOLDING_LIST_STATUSES))
        held_sql = (
            "COALESCE((SELECT SUM(pl.quantity) FROM wms_pickline pl "  # noqa: S608 - placeholders only
            "JOIN wms_picklist p ON p.id = pl.pick_list_id "
            "WHERE pl.bin_id = q.bin_id AND pl.item_id = q.item_id AND "
            + ("pl.lot_id = q.lot_id" if lot is not None else "pl.lot_id IS NULL")
            + f" AND pl.status = %s AND p.status IN ({statuses}) AND pl.id <> %s), 0)"
        )
        params += [PickLineStatus.OPEN, *HOLDING_LIST_STATUSES, allocation.pk if allocation is not None else 0]
    sql = (
        f"SELECT q.id, q.bin_id, q.quantity, {held_sql} FROM wms_stockquant q "  # noqa: S608 - placeholders only
        f"WHERE q.item_id = %s AND q.bin_id IN ({', '.join(['%s'] * len(bins))}) AND {same_lot} "
        "ORDER BY q.id" + _for_update("q", no_key=False)
    )
    params += [item.pk, *bins] + ([lot.pk] if lot is not None else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            bin_id: {"pk": pk, "quantity": _dec(quantity), "held": _dec(on_hold)}
            for pk, bin_id, quantity, on_hold in cursor.fetchall()
        }


def _insert_quant(site_id, item, bin_, lot, now) -> dict | None:
    """Insert the missing stock row of the destination, as `_lock_quants` answers it. A row this
    transaction inserted is as good as locked (no one sees it before the commit); None when
    another transaction inserted it first, and the caller locks that one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wms_stockquant (site_id, item_id, bin_id, lot_id, quantity, updated_at) "
            "VALUES (%s, %s, %s, %s, 0, %s) ON CONFLICT DO NOTHING RETURNING id",
            [
                site_id,
                item.pk,
                bin_.pk,
                lot.pk if lot is not None else None,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    return None if row is None else {"pk": row[0], "quantity": Decimal(0), "held": Decimal(0)}


def _insert_move(move: StockMove) -> None:
    """Write the ledger line (a plain insert: moves have no signals, and the ORM's insert
    machinery was a tenth of a move's time)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wms_stockmove (kind, site_id, item_id, lot_id, from_bin_id, to_bin_id, quantity, "
            "entered_quantity, entered_unit_id, reference, reason, user_id, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [
                move.kind,
                move.site_id,
                move.item_id,
                move.lot_id,
                move.from_bin_id,
                move.to_bin_id,
                move.quantity,
                move.entered_quantity,
                move.entered_unit_id,
                move.reference,
                move.reason,
                move.user_id,
                connection.ops.adapt_datetimefield_value(move.created_at),
            ],
        )
        move.pk = cursor.fetchone()[0]
    move._state.adding = False
    move._state.db = connection.alias


def _change_on_hand(changes: list[tuple[int, Decimal]], now) -> None:
    """Add each (stock row id, delta) in one statement (a transfer's two rows, one round trip)."""
    if len(changes) == 1:
        delta_sql, params = "%s", [changes[0][1]]
    else:
        delta_sql = "CASE id " + " ".join(["WHEN %s THEN %s"] * len(changes)) + " END"
        params = [value for change in changes for value in change]
    ids = [pk for pk, _delta in changes]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE wms_stockquant SET quantity = quantity + {delta_sql}, updated_at = %s "  # noqa: S608 - placeholders only
            f"WHERE id IN ({', '.join(['%s'] * len(ids))})",
            [*params, connection.ops.adapt_datetimefield_value(now), *ids],
        )


def _sync_consumed(kind, lot: Lot, source: dict | None, quantity: Decimal, user) -> None:
    """Outbound moves that empty their row may consume the lot; stock coming back into a consumed
    lot makes it available again. Nothing to read otherwise."""
    if kind in OUTBOUND_CONSUMING:
        if lot.status == LotStatus.AVAILABLE and source is not None and source["quantity"] == quantity:
            lot_services.sync_consumed_status(lot=lot, user=user, after_outbound=True)
    elif lot.status == LotStatus.CONSUMED:
        lot_services.sync_consumed_status(lot=lot, user=user, after_outbound=False)


def _check_capacity(bin_: Bin, limits: dict, item: Item, lot: Lot | None, quantity: Decimal) -> None:
    """Capacity as locked (`limits`: max_lots, max_volume_l, max_weight_kg of the bin's row)."""
    max_lots, max_volume, max_weight = limits["max_lots"], limits["max_volume_l"], limits["max_weight_kg"]
    if max_lots is None and max_volume is None and max_weight is None:
        return
    held = StockQuant.objects.filter(bin=bin_, quantity__gt=0)
    if max_lots is not None:
        keys = set(held.values_list("item_id", "lot_id"))
        if (item.pk, lot.pk if lot else None) not in keys and len(keys) + 1 > max_lots:
            raise BinOverCapacity(
                _("Bin %(bin)s already holds %(n)s lots (at most %(max)s).")
                % {"bin": bin_.code, "n": len(keys), "max": max_lots},
            )
    load = held.aggregate(
        volume=Sum(ExpressionWrapper(F("quantity") * F("item__unit_volume_l"), output_field=DecimalField())),
        weight=Sum(ExpressionWrapper(F("quantity") * F("item__unit_weight_kg"), output_field=DecimalField())),
    )
    for limit, used, per_unit, label in (
        (max_volume, load["volume"], item.unit_volume_l, "l"),
        (max_weight, load["weight"], item.unit_weight_kg, "kg"),
    ):
        if limit is None or not per_unit:
            continue
        after = (used or Decimal(0)) + quantity * per_unit
        if after > limit:
            raise BinOverCapacity(
                _("Bin %(bin)s would hold %(after)s %(u)s of at most %(limit)s %(u)s.")
                % {"bin": bin_.code, "after": plain_quantity(after), "limit": plain_quantity(limit), "u": label},
            )
