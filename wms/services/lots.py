"""Lots and serial numbers: creation at receipt, and the lot status machine.

QMS releases, holds and rejects lots through `change_lot_status`; the transitions allowed are
declared once in LOT_STATES (core.states). `is_usable` / `usable_lot_q` are the one rule for
"may this lot's stock be used", shared by the ledger, picking and the inventory alerts.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.dates import site_today
from core.errors import PermissionDenied, ValidationFailed
from core.events import publish
from core.scoping import require_site_access
from core.services.signatures import check_signature_password, sign
from core.states import StateMachine, Transition
from wms.models import USABLE_LOT_STATUSES, Lot, LotStatus, StockQuant

S = LotStatus
# The lot's life, declared once: one transition per status a lot can be moved to, by people
# (quality releases, holds and rejects), by other modules, and by the ledger (consumed).
LOT_STATES = StateMachine(
    {
        "release": Transition(
            frozenset({S.QUARANTINE, S.ON_HOLD, S.EXPIRED, S.CONSUMED}), S.AVAILABLE, label=gettext_lazy("released")
        ),
        "quarantine": Transition(
            frozenset({S.AVAILABLE, S.ON_HOLD}), S.QUARANTINE, label=gettext_lazy("put in quarantine")
        ),
        "hold": Transition(
            frozenset({S.AVAILABLE, S.QUARANTINE, S.REJECTED, S.EXPIRED}), S.ON_HOLD, label=gettext_lazy("held")
        ),
        "reject": Transition(
            frozenset({S.AVAILABLE, S.QUARANTINE, S.ON_HOLD, S.EXPIRED}), S.REJECTED, label=gettext_lazy("rejected")
        ),
        "expire": Transition(frozenset({S.AVAILABLE}), S.EXPIRED, label=gettext_lazy("expired")),
        "consume": Transition(
            frozenset({S.AVAILABLE, S.REJECTED, S.EXPIRED}), S.CONSUMED, label=gettext_lazy("consumed")
        ),
    },
    refusal=gettext_noop("A lot that is %(status)s cannot be %(action)s."),
)
TRANSITION_TO = {transition.target: name for name, transition in LOT_STATES.transitions.items()}
# status -> the statuses it may change to
TRANSITIONS: dict[str, set[str]] = LOT_STATES.next_statuses()


def is_usable(lot: Lot | None, *, today) -> bool:
    """The one "usable lot" rule: its stock may be issued, picked or shipped (available and not
    past its expiry at the site's today). `usable_lot_q` is the same rule for querysets."""
    if lot is None:
        return True
    return lot.status in USABLE_LOT_STATUSES and (lot.expiry is None or lot.expiry >= today)


def usable_lot_q(*, today, prefix: str = "lot__") -> Q:
    """`is_usable` as a filter on rows reaching the lot through `prefix` (stock rows: "lot__")."""
    return Q(**{f"{prefix}status__in": USABLE_LOT_STATUSES}) & (
        Q(**{f"{prefix}expiry__isnull": True}) | Q(**{f"{prefix}expiry__gte": today})
    )


def create_lot(
    *,
    item,
    code: str,
    site,
    user,
    supplier=None,
    supplier_lot: str = "",
    manufactured_on=None,
    expiry=None,
    status: str = LotStatus.AVAILABLE,
) -> Lot:
    """Create a lot; expiry defaults to manufacture (or today) plus the item's shelf life."""
    code = (code or "").strip()
    if not code:
        raise ValidationFailed(_("Enter a lot or serial number."), field="lot")
    if expiry is None and item.shelf_life_days:
        expiry = (manufactured_on or site_today(site)) + timedelta(days=item.shelf_life_days)
    lot = Lot(
        item=item,
        code=code,
        site=site,
        is_serial=item.tracking == "serial",
        status=status,
        supplier=supplier,
        supplier_lot=supplier_lot,
        manufactured_on=manufactured_on,
        expiry=expiry,
        received_at=timezone.now(),
    )
    lot._history_user = user
    lot.full_clean()
    with transaction.atomic():
        lot.save()
        publish("wms.lot.created", {"lot": lot.code, "item": item.code, "status": lot.status}, site=site)
    return lot


# Releasing a lot that quality set aside is quality's decision, signed (four eyes are not asked:
# the signature is the inspector's own attestation). A consumed lot coming back to life through a
# return is the ledger's business, not a release.
SIGNED_RELEASE_FROM = frozenset({S.QUARANTINE, S.ON_HOLD, S.EXPIRED})
RELEASE_ROLES = ("quality", "admin")


def needs_signed_release(lot: Lot, status: str) -> bool:
    """Whether moving `lot` to `status` is a release that quality must sign."""
    return status == S.AVAILABLE and lot.status in SIGNED_RELEASE_FROM


def change_lot_status(*, lot: Lot, status: str, user, reason: str = "", password: str | None = None) -> Lot:
    """Move a lot to `status` if LOT_STATES allows it; the history keeps who, when and why.

    Releasing a quarantined, held or expired lot is for the quality role, with an electronic
    signature (`password`) and a reason, signed in the same transaction. A user acts only on the
    lots of its sites: another site's lot answers "unknown lot"."""
    if status not in TRANSITION_TO:
        raise ValidationFailed(_("Unknown lot status."), field="status", code="invalid_choice")
    require_site_access(user, lot.site_id, message=_("Unknown lot."))
    reason = (reason or "").strip()
    with transaction.atomic():
        lot = Lot.objects.select_for_update(no_key=True).select_related("item", "site").get(pk=lot.pk)
        if status == lot.status:
            return lot
        previous = lot.status
        signed = needs_signed_release(lot, status)
        if signed:
            if not user.has_role(*RELEASE_ROLES):
                raise PermissionDenied(
                    _("Only quality may release a lot from quarantine or hold."), code="quality_release"
                )
            check_signature_password(user=user, password=password or "", record=lot)
            if not reason:
                raise ValidationFailed(_("Say why the lot is released."), field="reason", code="reason_required")
        lot._change_reason = reason[:100]
        LOT_STATES.apply(lot, TRANSITION_TO[status], user, also={"status_reason": reason[:300]})
        if signed:
            sign(user=user, password=password or "", meaning="released", record=lot, reason=reason)
        _publish_status_change(lot, previous, reason)
    return lot


def _publish_status_change(lot: Lot, previous: str, reason: str) -> None:
    publish(
        "wms.lot.status_changed",
        {"lot": lot.code, "item": lot.item.code, "from": previous, "to": lot.status, "reason": reason},
        site=lot.site,
    )


def release_lot(*, lot: Lot, user, password: str, reason: str) -> Lot:
    """Quality released the lot (signed): its stock may be used once put away out of quarantine
    (`wms.services.putaway.release_putaway` proposes where)."""
    return change_lot_status(lot=lot, status=LotStatus.AVAILABLE, user=user, reason=reason, password=password)


def hold_lot(*, lot: Lot, user, reason: str) -> Lot:
    return change_lot_status(lot=lot, status=LotStatus.ON_HOLD, user=user, reason=reason)


def reject_lot(*, lot: Lot, user, reason: str) -> Lot:
    return change_lot_status(lot=lot, status=LotStatus.REJECTED, user=user, reason=reason)


def sync_consumed_status(*, lot: Lot, user, after_outbound: bool) -> None:
    """A lot whose last stock was issued, shipped or scrapped is consumed; stock coming back into
    a consumed lot makes it available again. Called by the ledger inside its transaction."""
    on_hand = StockQuant.objects.filter(lot=lot, quantity__gt=0).exists()
    if after_outbound and not on_hand and lot.status == LotStatus.AVAILABLE:
        change_lot_status(lot=lot, status=LotStatus.CONSUMED, user=user, reason=_("all stock used"))
    elif on_hand and lot.status == LotStatus.CONSUMED:
        change_lot_status(lot=lot, status=LotStatus.AVAILABLE, user=user, reason=_("stock returned"))
