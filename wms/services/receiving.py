"""Goods receipt: expected receipts (announced deliveries) and receiving goods against them.

Every receipt is a `receipt` move through the ledger. Over-receipt beyond a line's tolerance is
refused; a line closes once received within its under-tolerance; the receipt's status follows
the TRANSITIONS table. Items that need incoming inspection go to a quarantine bin with their lot
in quarantine, and `wms.receipt.inspection_required` tells quality.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from core.events import publish
from core.quantities import parse_quantity, plain_quantity
from core.scoping import require_site_access
from core.states import StateMachine, Transition
from core.units import to_base_unit
from wms.models import Bin, ExpectedReceipt, ExpectedReceiptLine, Lot, LotStatus, ReceiptStatus, StockMove, ZoneKind
from wms.services.ledger import post_move
from wms.services.numbering import save_new_document

NUMBER_PREFIX = "GR"
LOT_ATTRIBUTES = {"supplier", "supplier_lot", "manufactured_on", "expiry", "status"}


class OverReceipt(DomainError):
    code = "over_receipt"
    default_message = gettext_lazy("More than expected, beyond the over-receipt tolerance.")


class ReceiptNotOpen(DomainError):
    code = "receipt_not_open"
    default_message = gettext_lazy("This receipt takes no more goods.")


R = ReceiptStatus
# The receipt's life, declared once: name -> which statuses it leaves from, where it goes, who may.
RECEIPT_STATES = StateMachine(
    {
        "receive_partly": Transition(frozenset({R.OPEN, R.PARTIAL}), R.PARTIAL, label=gettext_lazy("received")),
        "receive_fully": Transition(frozenset({R.OPEN, R.PARTIAL}), R.RECEIVED, label=gettext_lazy("received")),
        # Short-close: the rest will not come; what arrived stays.
        "close": Transition(
            frozenset({R.PARTIAL}), R.RECEIVED, "wms.change_expectedreceipt", label=gettext_lazy("closed")
        ),
        "cancel": Transition(
            frozenset({R.OPEN}), R.CANCELLED, "wms.change_expectedreceipt", label=gettext_lazy("cancelled")
        ),
    },
    refusal=gettext_noop("A receipt that is %(status)s cannot be %(action)s."),
)
TRANSITIONS = RECEIPT_STATES.transitions

# Statuses in which goods may still be received.
RECEIVABLE = RECEIPT_STATES.sources("receive_partly")


def _tolerance(value, default: Decimal, field: str, *, at_most: Decimal | None = None) -> Decimal:
    if value is None or value == "":
        return default
    try:
        pct = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationFailed(_("Enter a percentage."), field=field) from exc
    if not pct.is_finite() or pct < 0 or (at_most is not None and pct > at_most):
        raise ValidationFailed(_("Enter a percentage between 0 and 100."), field=field, code="tolerance_out_of_range")
    return pct


def create_expected_receipt(
    *,
    site,
    number: str | None = None,
    lines: list[dict],
    user,
    supplier=None,
    reference: str = "",
    expected_date=None,
) -> ExpectedReceipt:
    """Announce a delivery of `lines` (item, quantity, unit, tolerances) at `site`.

    Quantities are stored in each item's base unit. A blank `number` gets the next GR-<site>-n.
    """
    require_site_access(user, site)
    number = (number or "").strip()
    if number and ExpectedReceipt.objects.filter(number=number).exists():
        raise ValidationFailed(
            _("Receipt %(number)s already exists.") % {"number": number}, field="number", code="duplicate"
        )
    if supplier is not None and not supplier.is_supplier:
        raise ValidationFailed(_("%(partner)s is not a supplier.") % {"partner": supplier.code}, field="supplier")
    if not lines:
        raise ValidationFailed(_("Add at least one line."), field="lines", code="required")

    defaults = {field.name: field.default for field in ExpectedReceiptLine._meta.fields if field.name.endswith("_pct")}
    prepared = []
    for index, data in enumerate(lines, start=1):
        item = data.get("item")
        if item is None:
            raise ValidationFailed(_("Line %(n)s: choose an item.") % {"n": index}, field="lines", code="required")
        if not item.active:
            raise ValidationFailed(
                _("Line %(n)s: item %(item)s is inactive.") % {"n": index, "item": item.code},
                field="lines",
                code="item_inactive",
            )
        quantity = parse_quantity(data.get("quantity"), field="lines")
        quantity = to_base_unit(quantity, data.get("unit"), item)
        prepared.append(
            ExpectedReceiptLine(
                line_no=index,
                item=item,
                quantity=quantity,
                over_tolerance_pct=_tolerance(data.get("over_tolerance_pct"), defaults["over_tolerance_pct"], "lines"),
                under_tolerance_pct=_tolerance(
                    data.get("under_tolerance_pct"), defaults["under_tolerance_pct"], "lines", at_most=Decimal(100)
                ),
            )
        )

    with transaction.atomic():
        receipt = save_new_document(
            ExpectedReceipt,
            site=site,
            number=number,
            prefix=NUMBER_PREFIX,
            user=user,
            supplier=supplier,
            reference=reference or "",
            expected_date=expected_date,
        )
        for line in prepared:
            line.receipt = receipt
        ExpectedReceiptLine.objects.bulk_create(prepared)
        publish(
            "wms.receipt.expected",
            {
                "receipt": receipt.number,
                "supplier": supplier.code if supplier else None,
                "expected_date": expected_date,
                "lines": [
                    {"line_no": ln.line_no, "item": ln.item.code, "quantity": str(ln.quantity)} for ln in prepared
                ],
            },
            site=site,
        )
    return receipt


def receive_goods(
    *,
    site,
    item,
    quantity,
    user,
    line: ExpectedReceiptLine | None = None,
    unit=None,
    lot_code: str | None = None,
    lot_attributes: dict | None = None,
    to_bin: Bin | None = None,
    reference: str = "",
) -> StockMove:
    """Receive `quantity` of `item` at `site`, against an expected receipt `line` or free.

    Goods go to `to_bin`, else to the site's receiving bin; items needing inspection go to a
    quarantine bin with their lot in quarantine. Returns the receipt move.
    """
    require_site_access(user, site)
    quantity = parse_quantity(quantity)
    base_quantity = to_base_unit(quantity, unit, item)
    attributes = dict(lot_attributes or {})
    unknown = set(attributes) - LOT_ATTRIBUTES
    if unknown:
        raise ValidationFailed(
            _("Unknown lot attributes: %(names)s.") % {"names": ", ".join(sorted(unknown))}, field="lot_attributes"
        )
    if to_bin is not None and to_bin.warehouse.site_id != site.pk:
        raise ValidationFailed(_("Bin %(bin)s is not at this site.") % {"bin": to_bin.code}, field="to_bin")

    with transaction.atomic():
        receipt = None
        if line is not None:
            # Header first, then the line: two receipts on lines of one delivery decide its status in turn.
            receipt = (
                ExpectedReceipt.objects.select_for_update(of=("self",))
                .select_related("supplier")
                .get(pk=line.receipt_id)
            )
            line = ExpectedReceiptLine.objects.select_for_update().get(pk=line.pk)
            _check_line(receipt, line, site, item, base_quantity)
            attributes.setdefault("supplier", receipt.supplier)
            reference = reference or receipt.number

        inspection = item.inspection_required
        destination = _receiving_destination(site, item, to_bin, inspection)
        if inspection and item.is_lot_tracked:
            attributes["status"] = LotStatus.QUARANTINE
            _refuse_released_lot(item, lot_code, site)

        move = post_move(
            kind="receipt",
            item=item,
            quantity=quantity,
            unit=unit,
            user=user,
            lot_code=lot_code,
            to_bin=destination,
            reference=reference or "",
            reason=_("receipt line %(n)s") % {"n": line.line_no} if line is not None else "",
            lot_attributes={k: v for k, v in attributes.items() if v is not None},
        )

        if line is not None:
            _book_on_line(receipt, line, move.quantity, user)
        payload = {
            "move": move.pk,
            "receipt": receipt.number if receipt else None,
            "line_no": line.line_no if line else None,
            "item": item.code,
            "lot": move.lot.code if move.lot else None,
            "quantity": str(move.quantity),
            "unit": item.base_unit.code,
            "bin": destination.code,
            "supplier": receipt.supplier.code if receipt and receipt.supplier else None,
        }
        publish("wms.receipt.received", payload, site=site)
        if inspection:
            publish("wms.receipt.inspection_required", payload, site=site)
    return move


def _check_line(receipt, line, site, item, base_quantity: Decimal) -> None:
    if receipt.site_id != site.pk:
        raise NotFound(_("Unknown receipt."))
    if receipt.status not in RECEIVABLE:
        raise ReceiptNotOpen(
            _("Receipt %(number)s is %(status)s and takes no more goods.")
            % {"number": receipt.number, "status": receipt.get_status_display().lower()},
        )
    if line.item_id != item.pk:
        raise ValidationFailed(
            _("Line %(n)s expects %(expected)s, not %(item)s.")
            % {"n": line.line_no, "expected": line.item.code, "item": item.code},
            field="item",
            code="item_mismatch",
        )
    if base_quantity > line.max_receivable:
        raise OverReceipt(
            _(
                "Line %(n)s expects %(expected)s %(unit)s (up to %(tolerance)s%% more); %(received)s received, "
                "so at most %(left)s more can be accepted, not %(quantity)s."
            )
            % {
                "n": line.line_no,
                "expected": plain_quantity(line.quantity),
                "unit": item.base_unit.code,
                "tolerance": plain_quantity(line.over_tolerance_pct),
                "received": plain_quantity(line.received_quantity),
                "left": plain_quantity(line.max_receivable),
                "quantity": plain_quantity(base_quantity),
            },
        )


def _book_on_line(receipt, line, base_quantity: Decimal, user) -> None:
    """Add the received quantity; close the line within its under-tolerance; move the receipt on."""
    line.received_quantity += base_quantity
    enough = line.quantity * (1 - line.under_tolerance_pct / 100)
    line.closed = line.received_quantity >= enough
    line.save(update_fields=["received_quantity", "closed"])
    all_closed = not receipt.lines.filter(closed=False).exists()
    RECEIPT_STATES.apply(receipt, "receive_fully" if all_closed else "receive_partly", user)


def _refuse_released_lot(item, lot_code: str | None, site) -> None:
    """Uninspected goods must not join a lot quality already released. Lots are per site: only
    this site's lot of that code counts (another site's is not even looked at)."""
    if not lot_code:
        return
    existing = Lot.objects.filter(item=item, site=site, code=lot_code.strip()).first()
    if existing is not None and existing.status != LotStatus.QUARANTINE:
        raise ValidationFailed(
            _("Lot %(lot)s of %(item)s is already %(status)s; uninspected goods need a new lot.")
            % {"lot": existing.code, "item": item.code, "status": existing.get_status_display().lower()},
            field="lot",
            code="lot_already_released",
        )


def _receiving_destination(site, item, to_bin: Bin | None, inspection: bool) -> Bin:
    kind = ZoneKind.QUARANTINE if inspection else ZoneKind.RECEIVING
    if to_bin is not None:
        if inspection and to_bin.zone.kind != ZoneKind.QUARANTINE:
            raise ValidationFailed(
                _("%(item)s needs incoming inspection: receive it into a quarantine bin.") % {"item": item.code},
                field="to_bin",
                code="quarantine_required",
            )
        return to_bin
    destination = (
        Bin.objects.filter(warehouse__site=site, zone__kind=kind, blocked=False)
        .select_related("warehouse__site", "zone")
        .order_by("warehouse__code", "distance_rank", "code")
        .first()
    )
    if destination is None:
        raise DomainError(
            _("Site %(site)s has no usable %(zone)s bin.") % {"site": site.code, "zone": ZoneKind(kind).label.lower()},
            code="no_receiving_bin",
        )
    return destination


def close_expected_receipt(*, receipt: ExpectedReceipt, user) -> ExpectedReceipt:
    """Short-close a partly received delivery: the rest will not come."""
    require_site_access(user, receipt.site)
    with transaction.atomic():
        receipt = ExpectedReceipt.objects.select_for_update().get(pk=receipt.pk)
        if receipt.status == R.OPEN:
            raise InvalidTransition(_("Nothing has been received yet: cancel the receipt instead."))
        RECEIPT_STATES.apply(receipt, "close", user)
        receipt.lines.filter(closed=False).update(closed=True)
        publish("wms.receipt.closed", {"receipt": receipt.number}, site=receipt.site)
    return receipt


def cancel_expected_receipt(*, receipt: ExpectedReceipt, user) -> ExpectedReceipt:
    """Cancel a delivery nothing of which has arrived."""
    require_site_access(user, receipt.site)
    with transaction.atomic():
        receipt = ExpectedReceipt.objects.select_for_update().get(pk=receipt.pk)
        RECEIPT_STATES.apply(receipt, "cancel", user)
        receipt.lines.update(closed=True)
        publish("wms.receipt.cancelled", {"receipt": receipt.number}, site=receipt.site)
    return receipt
