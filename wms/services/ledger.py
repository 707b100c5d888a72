"""The stock ledger: the one function that changes on-hand stock.

Every receipt, putaway, issue, return, production receipt, shipment, adjustment and scrap is a
call to `post_move`. It validates the request, locks the bins and stock rows it touches (always
bins first, then stock rows, each in primary-key order, so concurrent moves cannot deadlock),
refuses anything that would make stock negative, updates the on-hand rows, writes the immutable
move and publishes `wms.stock.moved` in the same transaction.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.events import publish
from core.models import Item, Unit
from core.quantities import parse_quantity, plain_quantity
from core.units import to_base_unit
from wms.errors import BinBlocked, BinOverCapacity, InsufficientStock, LotNotAvailable, ZoneRuleViolation
from wms.models import Bin, Lot, LotStatus, MoveKind, StockMove, StockQuant
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
) -> StockMove:
    """Post one stock move and keep on-hand stock in step. Returns the move.

    `lot` or `lot_code` names the lot of a lot- or serial-tracked item; for receipts a new code
    creates the lot (with `lot_attributes`: supplier, supplier_lot, manufactured_on, expiry,
    status). Raises a DomainError (nothing written) when the move is not possible.
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
        )


def _post_move(*, kind, item, quantity, user, unit, lot, lot_code, from_bin, to_bin, reference, reason, lot_attributes):
    rule = KIND_RULES.get(kind)
    if rule is None:
        raise ValidationFailed(_("Unknown kind of move: %(kind)s.") % {"kind": kind}, field="kind")
    _check_bins(kind, rule, from_bin, to_bin)
    entered_unit = unit or item.base_unit
    entered_quantity = parse_quantity(quantity)
    base_quantity = _in_base_unit(entered_quantity, entered_unit, item)
    site = (from_bin or to_bin).warehouse.site

    # Bins first (capacity and blocking are decided under their lock), then stock rows.
    bins = _lock_bins([b for b in (from_bin, to_bin) if b is not None])
    from_bin = bins.get(from_bin.pk) if from_bin else None
    to_bin = bins.get(to_bin.pk) if to_bin else None
    for bin_ in bins.values():
        if bin_.blocked and bin_.blocked_reason:
            raise BinBlocked(
                _("Bin %(bin)s is blocked: %(why)s.") % {"bin": bin_.code, "why": bin_.blocked_reason},
            )
        if bin_.blocked:
            raise BinBlocked(_("Bin %(bin)s is blocked.") % {"bin": bin_.code})

    lot = _resolve_lot(item, lot, lot_code, rule, site, user, lot_attributes)
    _check_lot(kind, rule, item, lot, base_quantity)
    if to_bin is not None:
        _check_zone(item, lot, to_bin)

    source = target = None
    keys = []
    if from_bin is not None:
        keys.append((from_bin, lot))
    if to_bin is not None:
        keys.append((to_bin, lot))
        _ensure_quant(site, item, to_bin, lot)
    quants = _lock_quants(item, keys)
    if from_bin is not None:
        source = quants.get((from_bin.pk, lot.pk if lot else None))
        available = source.quantity if source else Decimal(0)
        if available < base_quantity:
            params = {
                "bin": from_bin.code,
                "available": plain_quantity(available),
                "unit": item.base_unit.code,
                "item": item.code,
                "lot": lot.code if lot else "",
                "wanted": plain_quantity(base_quantity),
            }
            if lot is not None:
                message = _("Bin %(bin)s holds %(available)s %(unit)s of %(item)s lot %(lot)s; %(wanted)s requested.")
            else:
                message = _("Bin %(bin)s holds %(available)s %(unit)s of %(item)s; %(wanted)s requested.")
            raise InsufficientStock(message % params)
    if to_bin is not None:
        target = quants[(to_bin.pk, lot.pk if lot else None)]
        if rule.checks_capacity and kind != MoveKind.ADJUSTMENT:
            _check_capacity(to_bin, item, lot, base_quantity)
        if item.tracking == "serial" and target.quantity + base_quantity > 1:
            raise ValidationFailed(_("A serial number is a single piece."), field="quantity", code="serial_quantity")

    if source is not None:
        StockQuant.objects.filter(pk=source.pk).update(
            quantity=F("quantity") - base_quantity, updated_at=timezone.now()
        )
    if target is not None:
        StockQuant.objects.filter(pk=target.pk).update(
            quantity=F("quantity") + base_quantity, updated_at=timezone.now()
        )

    move = StockMove.objects.create(
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
    )
    if lot is not None:
        lot_services.sync_consumed_status(lot=lot, user=user, after_outbound=kind in OUTBOUND_CONSUMING)
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


def _lock_bins(bins: list[Bin]) -> dict[int, Bin]:
    ids = sorted({b.pk for b in bins})
    locked = (
        Bin.objects.select_for_update(of=("self",))
        .select_related("warehouse__site", "zone")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    return {b.pk: b for b in locked}


def _resolve_lot(item, lot, lot_code, rule, site, user, attributes) -> Lot | None:
    if not item.is_lot_tracked:
        if lot is not None or lot_code:
            raise ValidationFailed(
                _("%(item)s is not tracked by lot.") % {"item": item.code},
                field="lot",
                code="lot_not_tracked",
            )
        return None
    if lot is None:
        if not lot_code:
            raise ValidationFailed(
                _("%(item)s is tracked by lot: give the lot or serial number.") % {"item": item.code},
                field="lot",
                code="lot_required",
            )
        lot_code = lot_code.strip()
        lot = Lot.objects.filter(item=item, code=lot_code).first()
        if lot is None:
            if not rule.creates_lot:
                raise ValidationFailed(
                    _("Unknown lot %(lot)s of %(item)s.") % {"lot": lot_code, "item": item.code},
                    field="lot",
                    code="unknown_lot",
                )
            lot = _create_lot_once(item, lot_code, site, user, attributes)
    elif lot.item_id != item.pk:
        raise ValidationFailed(_("This lot belongs to another item."), field="lot", code="lot_item_mismatch")
    else:
        # The caller's copy may be stale: decide on the status as committed now (after the bin locks).
        lot = Lot.objects.get(pk=lot.pk)
    lot.item = item
    return lot


def _create_lot_once(item, code, site, user, attributes) -> Lot:
    """Create the lot of a receipt. Two receipts into the same new code at once (into different
    bins, so not serialised by the bin locks) create it once: the loser of the unique-index race
    uses the winner's lot."""
    try:
        with transaction.atomic():
            return lot_services.create_lot(item=item, code=code, site=site, user=user, **attributes)
    except IntegrityError:
        return Lot.objects.get(item=item, code=code)


def _check_lot(kind, rule: KindRule, item, lot: Lot | None, quantity: Decimal) -> None:
    if lot is None:
        return
    if item.tracking == "serial" and quantity != 1:
        raise ValidationFailed(_("A serial number is a single piece."), field="quantity", code="serial_quantity")
    # A consumed lot has no stock left anywhere: the stock check answers (insufficient_stock),
    # which is what a picker racing the last piece needs to hear.
    if rule.needs_usable_lot and lot.status != LotStatus.CONSUMED:
        if lot.status != LotStatus.AVAILABLE:
            raise LotNotAvailable(
                _("Lot %(lot)s is %(status)s and cannot be used.")
                % {"lot": lot.code, "status": lot.get_status_display()},
            )
        if lot.expiry is not None and lot.expiry < timezone.localdate():
            raise LotNotAvailable(_("Lot %(lot)s expired on %(date)s.") % {"lot": lot.code, "date": lot.expiry})


def _check_zone(item: Item, lot: Lot | None, bin_: Bin) -> None:
    """Storage rules of the destination zone: item types, hazards, temperature."""
    zone = bin_.zone
    if zone.kind == "quarantine":
        return  # anything may be set aside in quarantine
    if zone.allowed_item_types and item.type not in zone.allowed_item_types:
        raise ZoneRuleViolation(
            _("Zone %(zone)s does not take %(type)s items.") % {"zone": zone.code, "type": item.get_type_display()},
        )
    if item.hazard_class and not zone.allows_hazardous:
        raise ZoneRuleViolation(
            _("%(item)s is hazardous; zone %(zone)s is not.") % {"item": item.code, "zone": zone.code}
        )
    if item.temperature_class == "cold" and zone.temperature_class != "cold":
        raise ZoneRuleViolation(
            _("%(item)s must be kept cold; zone %(zone)s is not.") % {"item": item.code, "zone": zone.code}
        )
    if lot is not None and lot.status == LotStatus.QUARANTINE and zone.kind not in ("receiving", "quarantine"):
        raise ZoneRuleViolation(
            _("Lot %(lot)s is in quarantine: it stays in receiving or quarantine until released.") % {"lot": lot.code},
        )


def _ensure_quant(site, item, bin_, lot) -> None:
    """Create the on-hand row if missing; a concurrent creator simply wins (ON CONFLICT DO NOTHING)."""
    StockQuant.objects.bulk_create(
        [StockQuant(site=site, item=item, bin=bin_, lot=lot, quantity=0)],
        ignore_conflicts=True,
    )


def _lock_quants(item, keys) -> dict[tuple[int, int | None], StockQuant]:
    condition = Q()
    for bin_, lot in keys:
        condition |= Q(bin=bin_, lot=lot) if lot is not None else Q(bin=bin_, lot__isnull=True)
    rows = StockQuant.objects.select_for_update().filter(condition, item=item).order_by("pk")
    return {(q.bin_id, q.lot_id): q for q in rows}


def _check_capacity(bin_: Bin, item: Item, lot: Lot | None, quantity: Decimal) -> None:
    if bin_.max_lots is None and bin_.max_volume_l is None and bin_.max_weight_kg is None:
        return
    held = StockQuant.objects.filter(bin=bin_, quantity__gt=0)
    if bin_.max_lots is not None:
        keys = set(held.values_list("item_id", "lot_id"))
        if (item.pk, lot.pk if lot else None) not in keys and len(keys) + 1 > bin_.max_lots:
            raise BinOverCapacity(
                _("Bin %(bin)s already holds %(n)s lots (at most %(max)s).")
                % {"bin": bin_.code, "n": len(keys), "max": bin_.max_lots},
            )
    load = held.aggregate(
        volume=Sum(ExpressionWrapper(F("quantity") * F("item__unit_volume_l"), output_field=DecimalField())),
        weight=Sum(ExpressionWrapper(F("quantity") * F("item__unit_weight_kg"), output_field=DecimalField())),
    )
    for limit, used, per_unit, label in (
        (bin_.max_volume_l, load["volume"], item.unit_volume_l, "l"),
        (bin_.max_weight_kg, load["weight"], item.unit_weight_kg, "kg"),
    ):
        if limit is None or not per_unit:
            continue
        after = (used or Decimal(0)) + quantity * per_unit
        if after > limit:
            raise BinOverCapacity(
                _("Bin %(bin)s would hold %(after)s %(u)s of at most %(limit)s %(u)s.")
                % {"bin": bin_.code, "after": plain_quantity(after), "limit": plain_quantity(limit), "u": label},
            )
