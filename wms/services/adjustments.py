"""Stock adjustments asked for at the desk: a reason code, and the count variance's controls.

An adjustment within the warehouse's thresholds (`counting.exceeds_thresholds`: the value and the
percentage of what the bin holds, the same limits a count variance is held to) is posted at once
through the ledger. Above either one it waits in the approvals inbox (wms.approvals) for a
supervisor other than the requester, who signs the approval (the move is then posted) or the
rejection. The states are declared once in ADJUSTMENT_STATES.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import PermissionDenied, ValidationFailed
from core.events import publish
from core.quantities import parse_quantity, plain_quantity
from core.scoping import require_site_access
from core.services.signatures import check_signature_password, sign
from core.states import StateMachine, Transition
from wms.errors import InsufficientStock
from wms.models import AdjustmentReason, AdjustmentStatus, Bin, Lot, MoveKind, StockAdjustment, StockQuant
from wms.services.counting import APPROVER_ROLES, exceeds_thresholds
from wms.services.ledger import post_move

S = AdjustmentStatus
ADJUSTMENT_STATES = StateMachine(
    {
        "approve": Transition(frozenset({S.PENDING_APPROVAL}), S.POSTED, label=gettext_lazy("approved")),
        "reject": Transition(frozenset({S.PENDING_APPROVAL}), S.REJECTED, label=gettext_lazy("rejected")),
    },
    refusal=gettext_noop("An adjustment that is %(status)s cannot be %(action)s."),
)
MONEY = Decimal("0.01")


def _reason_text(adjustment: StockAdjustment) -> str:
    label = AdjustmentReason(adjustment.reason_code).label
    return f"{label}: {adjustment.note}" if adjustment.note else str(label)


def _on_hand(*, item, bin_, lot) -> Decimal:
    """What the records say the bin holds, read under the ledger's locks (bin, then stock row)."""
    Bin.objects.select_for_update(no_key=True, of=("self",)).filter(pk=bin_.pk).first()
    rows = StockQuant.objects.select_for_update().filter(item=item, bin=bin_)
    rows = rows.filter(lot=lot) if lot is not None else rows.filter(lot__isnull=True)
    row = rows.first()
    return row.quantity if row else Decimal(0)


def _post(adjustment: StockAdjustment, user):
    raising = adjustment.quantity > 0
    return post_move(
        kind=MoveKind.ADJUSTMENT,
        item=adjustment.item,
        lot=adjustment.lot,
        lot_code=adjustment.lot_code or None,
        quantity=abs(adjustment.quantity),
        from_bin=None if raising else adjustment.bin,
        to_bin=adjustment.bin if raising else None,
        reference=f"ADJ-{adjustment.pk}",
        reason=_reason_text(adjustment),
        user=user,
    )


def request_adjustment(
    *, item, bin, quantity, reason_code: str, user, note: str = "", lot_code: str = ""
) -> StockAdjustment:
    """Ask to change the stock of `item` (and lot) in `bin` by `quantity` (signed, base unit).

    Posted at once within the thresholds; otherwise it waits for a signed approval. Returns the
    adjustment (its `status` says which)."""
    require_site_access(user, bin.warehouse.site_id, message=_("Unknown bin."))
    if reason_code not in AdjustmentReason.values:
        raise ValidationFailed(_("Choose the reason for the adjustment."), field="reason_code", code="invalid_choice")
    note = (note or "").strip()
    if reason_code == AdjustmentReason.OTHER and not note:
        raise ValidationFailed(_("Say what the other reason is."), field="note", code="required")
    text = str(quantity).strip()
    negative = text.startswith("-")
    change = parse_quantity(text[1:] if negative else text)  # the size; the sign says which way
    change = -change if negative else change
    lot_code = (lot_code or "").strip()
    lot = None
    if item.is_lot_tracked:
        if not lot_code:
            raise ValidationFailed(_("Give the lot or serial number."), field="lot", code="lot_required")
        lot = Lot.objects.filter(item=item, site_id=bin.warehouse.site_id, code=lot_code).first()
        if lot is None and change < 0:
            raise ValidationFailed(_("Unknown lot %(lot)s.") % {"lot": lot_code}, field="lot", code="unknown_lot")
    elif lot_code:
        raise ValidationFailed(_("%(item)s is not tracked by lot.") % {"item": item.code}, field="lot")
    with transaction.atomic():
        system = _on_hand(item=item, bin_=bin, lot=lot)
        if system + change < 0:
            raise InsufficientStock(
                _("Bin %(bin)s holds %(on_hand)s %(unit)s of %(item)s: it cannot be lowered by %(change)s.")
                % {
                    "bin": bin.code,
                    "on_hand": plain_quantity(system),
                    "unit": item.base_unit.code,
                    "item": item.code,
                    "change": plain_quantity(-change),
                }
            )
        value = (abs(change) * item.standard_cost).quantize(MONEY, rounding=ROUND_HALF_UP)
        held = exceeds_thresholds(
            warehouse=bin.warehouse, system_quantity=system, variance=change, variance_value=value
        )
        adjustment = StockAdjustment(
            site_id=bin.warehouse.site_id,
            item=item,
            lot=lot,
            lot_code=lot_code,
            bin=bin,
            quantity=change,
            system_quantity=system,
            value=value,
            reason_code=reason_code,
            note=note[:300],
            status=S.PENDING_APPROVAL if held else S.POSTED,
            requested_by=user,
            requested_at=timezone.now(),
        )
        adjustment._history_user = user
        adjustment.save()
        if not held:
            adjustment.move = _post(adjustment, user)
            adjustment.lot = adjustment.move.lot
            adjustment.save(update_fields=["move", "lot"])
        publish(
            "wms.adjustment.awaiting_approval" if held else "wms.adjustment.posted",
            _payload(adjustment),
            site=bin.warehouse.site,
        )
    return adjustment


def _decide(adjustment: StockAdjustment, decision: str, user) -> StockAdjustment:
    require_site_access(user, adjustment.site_id, message=_("Unknown adjustment."))
    if not user.has_role(*APPROVER_ROLES):
        raise PermissionDenied(_("Only a supervisor may approve or reject an adjustment."))
    locked = (
        StockAdjustment.objects.select_for_update(of=("self",))
        .select_related("site", "item__base_unit", "lot", "bin__warehouse", "requested_by")
        .get(pk=adjustment.pk)
    )
    ADJUSTMENT_STATES.check(locked, decision)
    if locked.requested_by_id == user.pk:
        raise PermissionDenied(_("Someone other than the requester must decide on this adjustment."), code="four_eyes")
    return locked


def approve_adjustment(*, adjustment: StockAdjustment, user, password: str, reason: str = "") -> StockAdjustment:
    """Approve a held adjustment with an electronic signature and post it."""
    with transaction.atomic():
        adjustment = _decide(adjustment, "approve", user)
        move = _post(adjustment, user)
        adjustment._change_reason = (reason or "")[:100]
        ADJUSTMENT_STATES.apply(
            adjustment,
            "approve",
            user,
            also={
                "move": move,
                "lot": move.lot,
                "decided_by": user,
                "decided_at": timezone.now(),
                "decision_note": (reason or "")[:300],
            },
        )
        sign(user=user, password=password, meaning="approved", record=adjustment, reason=reason or "")
        publish("wms.adjustment.posted", _payload(adjustment), site=adjustment.site)
    return adjustment


def reject_adjustment(*, adjustment: StockAdjustment, user, password: str, reason: str) -> StockAdjustment:
    """Reject a held adjustment with an electronic signature; the stock is not changed."""
    check_signature_password(user=user, password=password, record=adjustment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the adjustment is rejected."), field="reason")
    with transaction.atomic():
        adjustment = _decide(adjustment, "reject", user)
        adjustment._change_reason = reason[:100]
        ADJUSTMENT_STATES.apply(
            adjustment,
            "reject",
            user,
            also={"decided_by": user, "decided_at": timezone.now(), "decision_note": reason[:300]},
        )
        sign(user=user, password=password, meaning="rejected", record=adjustment, reason=reason)
        publish("wms.adjustment.rejected", _payload(adjustment), site=adjustment.site)
    return adjustment


def _payload(adjustment: StockAdjustment) -> dict:
    return {
        "adjustment": adjustment.pk,
        "status": adjustment.status,
        "item": adjustment.item.code,
        "lot": adjustment.lot_code or None,
        "bin": adjustment.bin.code,
        "quantity": str(adjustment.quantity),
        "value": str(adjustment.value),
        "reason_code": adjustment.reason_code,
        "move": adjustment.move_id,
    }
