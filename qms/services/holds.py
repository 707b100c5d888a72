"""Quality holds: quality sets a lot, a piece of equipment or a work order aside, saying why, and
releases it with an electronic signature.

The hold's effect lives in the lower layers, through their own services: a held lot is
`on_hold` (`wms.services.lots.hold_lot`), so the ledger refuses to pick, consume or ship it;
held equipment and work orders carry MES's quality-hold flag, so MES refuses to start or report
on them. A release gives a lot back the status it had, and a work order its place, once no other
active hold of the target remains.

Locks: the site's hold counter (document numbering), then the target's row (a work order as the
document header it is, equipment, or the lot), then the hold itself; a release reads the hold,
locks the target, then the hold, so a place and a release of one target queue on the target.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.events import publish
from core.scoping import require_site_access
from core.services.signatures import sign
from core.states import StateMachine, Transition
from mes.models import Equipment, WorkOrder, WorkOrderStatus
from mes.services.equipment import set_equipment_quality_hold
from mes.services.work_orders import lift_work_order_quality_hold, lock_work_order, place_work_order_quality_hold
from qms.models import HoldReason, HoldStatus, QualityHold
from wms.models import Lot, LotStatus
from wms.services.lots import change_lot_status, hold_lot, release_lot
from wms.services.numbering import next_document_number

NUMBER_PREFIX = "QH"
QUALITY_ROLES = ("quality", "admin")

H = HoldStatus
HOLD_STATES = StateMachine(
    {"release": Transition(frozenset({H.ACTIVE}), H.RELEASED, label=gettext_lazy("released"))},
    refusal=gettext_noop("A quality hold that is %(status)s cannot be %(action)s."),
)


def _require_quality(user, message) -> None:
    if user is not None and not user.has_role(*QUALITY_ROLES):
        raise PermissionDenied(message, code="quality_role")


def _target(lot, equipment, work_order):
    """(field, record) of the one target named; refused on `target` unless exactly one is."""
    given = (("lot", lot), ("equipment", equipment), ("work_order", work_order))
    named = [(name, record) for name, record in given if record is not None]
    if len(named) != 1:
        raise ValidationFailed(_("Name one lot, one piece of equipment or one work order to hold."), field="target")
    return named[0]


def _lock_target(field: str, record):
    """The target's row lock, fresh (lot: FOR NO KEY UPDATE as the lot services take it)."""
    if field == "lot":
        return Lot.objects.select_for_update(no_key=True).select_related("item", "site").get(pk=record.pk)
    if field == "equipment":
        return Equipment.objects.select_for_update().select_related("site", "work_centre").get(pk=record.pk)
    return lock_work_order(record)


def _payload(hold: QualityHold) -> dict:
    return {
        "hold": hold.number,
        "target": hold.target_kind,
        "lot": hold.lot.code if hold.lot_id else None,
        "item": hold.lot.item.code if hold.lot_id else None,
        "equipment": hold.equipment.code if hold.equipment_id else None,
        "work_order": hold.work_order.number if hold.work_order_id else None,
        "reason_code": hold.reason_code,
        "reason": hold.reason,
        "status": hold.status,
    }


def active_hold_of(field: str, record) -> QualityHold | None:
    return QualityHold.objects.filter(status=H.ACTIVE, **{field: record}).first()


def place_hold(
    *,
    user,
    reason_code: str,
    reason: str,
    lot: Lot | None = None,
    equipment: Equipment | None = None,
    work_order: WorkOrder | None = None,
    characteristic=None,
) -> QualityHold:
    """Hold one lot, piece of equipment or work order, saying why (`reason_code` and words).

    Quality (or an administrator, or the system: `user` None) places holds. A target already held
    is refused (409 `already_held`), so two placing at once make one hold."""
    field, record = _target(lot, equipment, work_order)
    reason = (reason or "").strip()
    if reason_code not in HoldReason.values:
        raise ValidationFailed(_("Choose a reason code."), field="reason_code", code="invalid_choice")
    if not reason:
        raise ValidationFailed(_("Say why it is held."), field="reason", code="required")
    if len(reason) > 300:
        raise ValidationFailed(_("At most 300 characters."), field="reason", code="max_length")
    _require_quality(user, _("Only quality places quality holds."))
    require_site_access(user, record.site_id)
    with transaction.atomic():
        number = next_document_number(
            site=record.site, prefix=NUMBER_PREFIX, taken=lambda n: QualityHold.objects.filter(number=n).exists()
        )
        target = _lock_target(field, record)
        existing = active_hold_of(field, target)
        if existing is not None:
            raise InvalidTransition(
                _("%(target)s is already held by %(hold)s.")
                % {"target": existing.target_label, "hold": existing.number},
                code="already_held",
            )
        hold = QualityHold(
            number=number,
            site=target.site,
            reason_code=reason_code,
            reason=reason,
            characteristic=characteristic,
            placed_by=user,
            placed_at=timezone.now(),
            previous_status=getattr(target, "status", "") if field != "equipment" else "",
            **{field: target},
        )
        told = f"{number}: {reason}"
        if field == "lot":
            if target.status != LotStatus.ON_HOLD:
                hold_lot(lot=target, user=user, reason=told)
        elif field == "equipment":
            set_equipment_quality_hold(equipment=target, reason=told, user=user)
        else:
            place_work_order_quality_hold(work_order=target, reason=told, user=user)
        hold._history_user = user
        hold.full_clean(validate_constraints=False)
        hold.save()
        publish("qms.hold.placed", _payload(hold), site=hold.site)
    return hold


def _give_back_lot(lot: Lot, hold: QualityHold, user, password: str, note: str) -> None:
    """The lot returns to the status it had before the hold: quarantined or rejected again, or
    released (signed, as every release of a held lot is). A lot held before the hold stays held;
    an expired one is released and its expiry date still keeps its stock from use."""
    previous = hold.previous_status or LotStatus.AVAILABLE
    if lot.status != LotStatus.ON_HOLD or previous == LotStatus.ON_HOLD:
        return
    if previous in (LotStatus.QUARANTINE, LotStatus.REJECTED):
        change_lot_status(lot=lot, status=previous, user=user, reason=note)
    else:
        release_lot(lot=lot, user=user, password=password, reason=note)


def release_hold(*, hold: QualityHold, user, password: str, note: str) -> QualityHold:
    """Quality releases the hold, signed (meaning "released") in the same transaction: a wrong
    password changes nothing and counts toward the account's lockout. The target goes back to
    what it was: the lot to its previous status, the work order resumes when the hold stopped
    it, the equipment may run again."""
    note = (note or "").strip()
    if user is None or not user.has_role(*QUALITY_ROLES):  # a signature needs a person
        raise PermissionDenied(_("Only quality releases quality holds."), code="quality_role")
    require_site_access(user, hold.site_id, message=_("Unknown quality hold."))
    if not note:
        raise ValidationFailed(_("Say why the hold is released."), field="note", code="required")
    if len(note) > 300:
        raise ValidationFailed(_("At most 300 characters."), field="note", code="max_length")
    field = hold.target_kind
    with transaction.atomic():
        target = _lock_target(field, hold.target)
        hold = QualityHold.objects.select_for_update(of=("self",)).select_related("site").get(pk=hold.pk)
        HOLD_STATES.apply(
            hold,
            "release",
            user,
            also={"released_by": user, "released_at": timezone.now(), "release_note": note},
        )
        sign(user=user, password=password or "", meaning="released", record=hold, reason=note)
        setattr(hold, field, target)
        if field == "lot":
            _give_back_lot(target, hold, user, password, f"{hold.number}: {note}")
        elif field == "equipment":
            set_equipment_quality_hold(equipment=target, reason="", user=user)
        else:
            resume = hold.previous_status in (WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS)
            lift_work_order_quality_hold(work_order=target, user=user, resume=resume)
        publish("qms.hold.released", _payload(hold), site=hold.site)
    return hold
