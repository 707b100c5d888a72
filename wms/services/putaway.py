"""Putaway: where received goods should go, and moving them there.

`suggest_putaway_bins` ranks the site's bins in one query: the storage rules of each zone
(item type, hazard, temperature, quarantine) decide which bins qualify, free capacity excludes
bins that cannot take the quantity, then consolidation with the same item and lot and the
item's ABC velocity (fast movers near the dock, slow movers far) order them.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.events import publish
from core.quantities import parse_quantity
from core.units import to_base_unit
from wms.models import Bin, Lot, LotStatus, StockMove, StockQuant, ZoneKind
from wms.selectors.planning import item_abc_class
from wms.services.ledger import post_move

PUTAWAY_REFERENCE = "PUTAWAY"
# Lots whose stock may not be used yet stay in quarantine until quality decides.
NOT_RELEASED = {LotStatus.QUARANTINE, LotStatus.ON_HOLD, LotStatus.REJECTED}
# Zones where each item type belongs by default.
HOME_ZONE = {
    "raw": ZoneKind.RAW,
    "consumable": ZoneKind.RAW,
    "spare_part": ZoneKind.RAW,
    "semi_finished": ZoneKind.WIP,
    "finished": ZoneKind.FINISHED,
}

# Score weights: consolidation outranks travel distance, which outranks a tidy fill.
SAME_LOT_SCORE = 20
SAME_ITEM_SCORE = 50
EMPTY_BIN_SCORE = 10
MIXED_BIN_PENALTY = -10
HOME_ZONE_SCORE = 15
VELOCITY_SCORE = 30
FILL_SCORE = 10

_AMOUNT = DecimalField(max_digits=24, decimal_places=9)


@dataclass(frozen=True)
class BinSuggestion:
    """One ranked bin with the reasons, in the user's language, that put it there."""

    bin: Bin
    score: Decimal
    reasons: list[str] = field(default_factory=list)


def suggest_putaway_bins(
    *, item, quantity, site, lot=None, from_bin: Bin | None = None, limit: int = 5, unit=None
) -> list[BinSuggestion]:
    """The best `limit` bins of `site` for `quantity` (base unit unless `unit`) of `item`/`lot`."""
    quantity = to_base_unit(parse_quantity(quantity), unit, item)
    if lot is not None and lot.item_id != item.pk:
        raise ValidationFailed(_("This lot belongs to another item."), field="lot", code="lot_item_mismatch")

    candidates = Bin.objects.filter(warehouse__site=site, blocked=False).exclude(zone__kind=ZoneKind.RECEIVING)
    if from_bin is not None:
        candidates = candidates.exclude(pk=from_bin.pk)
    quarantined = lot is not None and lot.status in NOT_RELEASED
    if quarantined:
        candidates = candidates.filter(zone__kind=ZoneKind.QUARANTINE)
    else:
        candidates = candidates.exclude(zone__kind=ZoneKind.QUARANTINE)
        # Hazard and temperature rules both ways: hazardous and cold space is kept for what needs it.
        if item.hazard_class:
            candidates = candidates.filter(zone__allows_hazardous=True)
        else:
            candidates = candidates.exclude(zone__kind=ZoneKind.HAZARDOUS)
        if item.temperature_class == "cold":
            candidates = candidates.filter(zone__temperature_class="cold")
        else:
            candidates = candidates.exclude(zone__temperature_class="cold").exclude(zone__kind=ZoneKind.COLD)

    held = Q(stock__quantity__gt=0)
    same_item = held & Q(stock__item=item)
    same_lot = same_item & (Q(stock__lot=lot) if lot is not None else Q(stock__lot__isnull=True))
    # One query: each bin's load (volume, weight, lots) and what of this item and lot it holds.
    rows = candidates.select_related("zone", "warehouse").annotate(
        used_volume=Coalesce(
            Sum(F("stock__quantity") * F("stock__item__unit_volume_l"), filter=held, output_field=_AMOUNT),
            Value(Decimal(0)),
            output_field=_AMOUNT,
        ),
        used_weight=Coalesce(
            Sum(F("stock__quantity") * F("stock__item__unit_weight_kg"), filter=held, output_field=_AMOUNT),
            Value(Decimal(0)),
            output_field=_AMOUNT,
        ),
        lots_held=Count("stock", filter=held),
        same_item_quantity=Coalesce(
            Sum("stock__quantity", filter=same_item, output_field=_AMOUNT), Value(Decimal(0)), output_field=_AMOUNT
        ),
        same_key=Count("stock", filter=same_lot),
    )
    rows = [b for b in rows if _zone_takes_type(b.zone, item) and _fits(b, item, quantity)]
    if not rows:
        return []

    ranks = [b.distance_rank for b in rows]
    nearest, farthest = min(ranks), max(ranks)
    abc = item_abc_class(item=item, site=site)
    suggestions = [_score(b, item, lot, quantity, nearest, farthest, abc) for b in rows]
    suggestions.sort(key=lambda s: (-s.score, s.bin.distance_rank, s.bin.code))
    return suggestions[:limit]


def _zone_takes_type(zone, item) -> bool:
    return zone.kind == ZoneKind.QUARANTINE or not zone.allowed_item_types or item.type in zone.allowed_item_types


def _fits(bin_: Bin, item, quantity: Decimal) -> bool:
    """Whether the bin has room for the quantity (the same limits the ledger enforces)."""
    if bin_.max_lots is not None and not bin_.same_key and bin_.lots_held + 1 > bin_.max_lots:
        return False
    for limit, used, per_unit in (
        (bin_.max_volume_l, bin_.used_volume, item.unit_volume_l),
        (bin_.max_weight_kg, bin_.used_weight, item.unit_weight_kg),
    ):
        if limit is not None and per_unit and used + quantity * per_unit > limit:
            return False
    return True


def _fill_after(bin_: Bin, item, quantity: Decimal) -> Decimal | None:
    """The fullest the bin would be after putaway (0..1) over its volume and weight limits."""
    fills = []
    if bin_.max_volume_l and item.unit_volume_l:
        fills.append((bin_.used_volume + quantity * item.unit_volume_l) / bin_.max_volume_l)
    if bin_.max_weight_kg and item.unit_weight_kg:
        fills.append((bin_.used_weight + quantity * item.unit_weight_kg) / bin_.max_weight_kg)
    return max(fills) if fills else None


def _score(bin_: Bin, item, lot, quantity: Decimal, nearest: int, farthest: int, abc: str) -> BinSuggestion:
    score = Decimal(0)
    reasons: list[str] = []
    if bin_.same_key and lot is not None:
        score += SAME_ITEM_SCORE + SAME_LOT_SCORE
        reasons.append(_("Already holds lot %(lot)s") % {"lot": lot.code})
    elif bin_.same_item_quantity > 0:
        score += SAME_ITEM_SCORE
        reasons.append(_("Already holds %(item)s") % {"item": item.code})
    elif bin_.lots_held == 0:
        score += EMPTY_BIN_SCORE
        reasons.append(_("Empty bin"))
    else:
        score += MIXED_BIN_PENALTY
        reasons.append(_("Holds other items"))

    if bin_.zone.kind == ZoneKind.QUARANTINE:
        reasons.append(_("Quarantine zone until quality releases the lot"))
    elif HOME_ZONE.get(item.type) == bin_.zone.kind:
        score += HOME_ZONE_SCORE
        reasons.append(_("%(zone)s zone") % {"zone": bin_.zone.get_kind_display()})
    if item.hazard_class:
        reasons.append(_("Zone approved for hazardous goods"))
    if item.temperature_class == "cold":
        reasons.append(_("Cold zone"))

    # 0 at the bin nearest the dock, 1 at the farthest of the candidates.
    spread = farthest - nearest
    distance = Decimal(bin_.distance_rank - nearest) / spread if spread else Decimal(0)
    if abc == "A":
        score += VELOCITY_SCORE * (1 - distance)
        if distance <= Decimal("0.34"):
            reasons.append(_("Near the dock for a fast mover (A)"))
    elif abc == "C":
        score += VELOCITY_SCORE * distance
        if distance >= Decimal("0.66"):
            reasons.append(_("Far from the dock for a slow mover (C)"))
    else:
        score += VELOCITY_SCORE * (1 - abs(distance - Decimal("0.5")) * 2)

    fill = _fill_after(bin_, item, quantity)
    if fill is not None:
        score += FILL_SCORE * fill
        reasons.append(_("%(pct)s%% full afterwards") % {"pct": int(fill * 100)})
    return BinSuggestion(bin=bin_, score=score.quantize(Decimal("0.01")), reasons=reasons)


def confirm_putaway(
    *, item, quantity, from_bin: Bin, to_bin: Bin, user, lot=None, suggested_bin: Bin | None = None, unit=None
) -> StockMove:
    """Move goods from receiving to their storage bin (a `transfer`, reference PUTAWAY).

    Putting them elsewhere than the suggested bin is recorded as an override in the move's reason.
    """
    reason = ""
    overridden = suggested_bin is not None and suggested_bin.pk != to_bin.pk
    if overridden:
        reason = _("Override: suggested %(suggested)s, put to %(bin)s") % {
            "suggested": suggested_bin.code,
            "bin": to_bin.code,
        }
    with transaction.atomic():
        move = post_move(
            kind="transfer",
            item=item,
            quantity=quantity,
            unit=unit,
            lot=lot,
            from_bin=from_bin,
            to_bin=to_bin,
            user=user,
            reference=PUTAWAY_REFERENCE,
            reason=reason,
        )
        publish(
            "wms.putaway.confirmed",
            {
                "move": move.pk,
                "item": item.code,
                "lot": lot.code if lot else None,
                "quantity": str(move.quantity),
                "from_bin": from_bin.code,
                "to_bin": to_bin.code,
                "suggested_bin": suggested_bin.code if suggested_bin else None,
                "override": overridden,
            },
            site=move.site,
        )
    return move


def release_putaway(*, lot: Lot, user) -> list[tuple]:
    """Where the released lot's stock in quarantine bins should go: (stock row, ranked bins) per
    row, from the putaway suggestion service."""
    lot = Lot.objects.select_related("item").get(pk=lot.pk)  # decide on the status as committed
    if lot.status != LotStatus.AVAILABLE:
        return []
    rows = (
        StockQuant.objects.for_user(user)
        .filter(lot=lot, quantity__gt=0, bin__zone__kind=ZoneKind.QUARANTINE)
        .select_related("bin__zone", "item__base_unit", "site")
        .order_by("bin__code")
    )
    return [
        (row, suggest_putaway_bins(item=row.item, quantity=row.quantity, site=row.site, lot=lot, from_bin=row.bin))
        for row in rows
    ]
