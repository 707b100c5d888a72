"""Lots and serial numbers: creation at receipt, and the lot status machine.

QMS releases, holds and rejects lots through `change_lot_status`; the transitions allowed are
declared once in TRANSITIONS.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition, ValidationFailed
from core.events import publish
from wms.models import Lot, LotStatus, StockQuant

S = LotStatus
# from status -> statuses it may change to (by people or other modules)
TRANSITIONS: dict[str, set[str]] = {
    S.AVAILABLE: {S.ON_HOLD, S.QUARANTINE, S.REJECTED, S.EXPIRED, S.CONSUMED},
    S.QUARANTINE: {S.AVAILABLE, S.ON_HOLD, S.REJECTED},
    S.ON_HOLD: {S.AVAILABLE, S.QUARANTINE, S.REJECTED},
    S.REJECTED: {S.ON_HOLD, S.CONSUMED},
    S.EXPIRED: {S.ON_HOLD, S.REJECTED, S.CONSUMED, S.AVAILABLE},
    S.CONSUMED: {S.AVAILABLE},
}


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
        expiry = (manufactured_on or timezone.localdate()) + timedelta(days=item.shelf_life_days)
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


@transaction.atomic
def change_lot_status(*, lot: Lot, status: str, user, reason: str = "") -> Lot:
    """Move a lot to `status` if TRANSITIONS allows it; the history keeps who, when and why."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    if status == lot.status:
        return lot
    if status not in TRANSITIONS.get(lot.status, set()):
        raise InvalidTransition(
            _("A lot that is %(from)s cannot become %(to)s.")
            % {"from": lot.get_status_display(), "to": LotStatus(status).label},
        )
    previous = lot.status
    lot.status = status
    lot.status_reason = reason[:300]
    lot._history_user = user
    lot._change_reason = reason[:100]
    lot.save(update_fields=["status", "status_reason", "updated_at"])
    publish(
        "wms.lot.status_changed",
        {"lot": lot.code, "item": lot.item.code, "from": previous, "to": status, "reason": reason},
        site=lot.site,
    )
    return lot


def release_lot(*, lot: Lot, user, reason: str = "") -> Lot:
    """Quality released the lot: its stock may be used."""
    return change_lot_status(lot=lot, status=LotStatus.AVAILABLE, user=user, reason=reason)


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
