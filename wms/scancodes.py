"""What our labels print and what a scanner sends back, in one place.

Payloads (fields separated by `|`, which no code may contain):

- lot label: ``WMS1|LOT|<item code>|<lot code>|<quantity>|<expiry YYYY-MM-DD or empty>``
- bin label: ``WMS1|BIN|<bin code>``

A scanner may also send a plain bin code, a plain item code, or ``<item code>|<lot code>`` (what
people type when a label is torn). `parse` resolves every code through the user's site-scoped
reads, so another site's bin or lot is as unknown as a made-up one.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.models import Item
from wms.models import Bin, Lot
from wms.quantities import plain_quantity
from wms.selectors.stock import bin_list, lot_list

PREFIX = "WMS1"
SEPARATOR = "|"
LOT_FIELDS = 6
BIN_FIELDS = 3
# Keyboard-wedge scanners may send GS1 group separators or stray control characters.
_CONTROL = dict.fromkeys(range(32))


@dataclass(frozen=True)
class Scan:
    """One understood scan. `lot` is None for an item or bin, or for a lot label whose lot does
    not exist yet (allowed only when the caller receives goods: `lot_code` then names it)."""

    kind: str  # "bin" | "lot" | "item"
    raw: str
    bin: Bin | None = None
    item: Item | None = None
    lot: Lot | None = None
    lot_code: str = ""
    quantity: Decimal | None = None
    expiry: date | None = None


def lot_payload(*, lot: Lot, quantity=None) -> str:
    """What a lot label's QR code holds; `quantity` is what the labelled unit load contains."""
    return SEPARATOR.join(
        [
            PREFIX,
            "LOT",
            lot.item.code,
            lot.code,
            plain_quantity(quantity),
            lot.expiry.isoformat() if lot.expiry else "",
        ]
    )


def bin_payload(*, bin: Bin) -> str:
    """What a bin label's QR code holds."""
    return SEPARATOR.join([PREFIX, "BIN", bin.code])


def _unknown(raw: str, field: str, why: str = "") -> ValidationFailed:
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    params = {"code": shown or _("(empty)"), "why": why}
    if why:
        message = _("This code is not one of ours: %(code)s (%(why)s)") % params
    else:
        message = _("This code is not one of ours: %(code)s") % params
    return ValidationFailed(message, field=field, code="unknown_scan")


def _one(queryset, field_name: str, code: str):
    """Exact code first; then a case-insensitive match when it is unambiguous (caps lock on a
    wedge scanner turns `wh1-a-01` into `WH1-A-01`)."""
    found = queryset.filter(**{field_name: code}).first()
    if found is not None:
        return found
    matches = list(queryset.filter(**{f"{field_name}__iexact": code})[:2])
    return matches[0] if len(matches) == 1 else None


def _bin(user, code: str) -> Bin | None:
    return _one(bin_list(user=user), "code", code)


def _item(code: str) -> Item | None:
    return _one(Item.objects.filter(active=True).select_related("base_unit"), "code", code)


def _lot(user, item: Item, code: str) -> Lot | None:
    return _one(lot_list(user=user).filter(item=item), "code", code)


def parse(raw: str, *, user, field: str = "code", new_lot_ok: bool = False) -> Scan:
    """Understand one scan. Raises ValidationFailed (code `unknown_scan`) for anything that is not
    a code of ours the user may see. With `new_lot_ok`, a lot label of a known item whose lot does
    not exist yet is accepted (receiving creates it)."""
    text = (raw or "").translate(_CONTROL).strip()
    if not text:
        raise _unknown(text, field, _("nothing was scanned"))
    parts = [part.strip() for part in text.split(SEPARATOR)]

    if parts[0].upper() == PREFIX:
        kind = parts[1].upper() if len(parts) > 1 else ""
        if kind == "BIN":
            if len(parts) != BIN_FIELDS:
                raise _unknown(text, field, _("a bin label has 3 fields"))
            return _bin_scan(text, parts[2], user, field)
        if kind == "LOT":
            if len(parts) != LOT_FIELDS:
                raise _unknown(text, field, _("a lot label has 6 fields"))
            return _lot_scan(text, parts[2:], user, field, new_lot_ok)
        raise _unknown(text, field, _("unknown label type"))

    if len(parts) == 2:
        return _lot_scan(text, [parts[0], parts[1], "", ""], user, field, new_lot_ok)
    if len(parts) != 1:
        raise _unknown(text, field)

    code = parts[0]
    bin_ = _bin(user, code)
    if bin_ is not None:
        return Scan(kind="bin", raw=text, bin=bin_)
    item = _item(code)
    if item is not None:
        return Scan(kind="item", raw=text, item=item)
    raise _unknown(text, field)


def _bin_scan(text: str, code: str, user, field: str) -> Scan:
    bin_ = _bin(user, code) if code else None
    if bin_ is None:
        raise _unknown(text, field, _("no such bin here"))
    return Scan(kind="bin", raw=text, bin=bin_)


def _lot_scan(text: str, fields: list[str], user, field: str, new_lot_ok: bool) -> Scan:
    item_code, lot_code, quantity_text, expiry_text = fields
    item = _item(item_code) if item_code else None
    if item is None:
        raise _unknown(text, field, _("no such item"))
    if not lot_code:
        raise _unknown(text, field, _("the lot is missing"))
    quantity = None
    if quantity_text:
        try:
            quantity = Decimal(quantity_text)
        except InvalidOperation:
            raise _unknown(text, field, _("the quantity is not a number")) from None
        if not quantity.is_finite() or quantity <= 0:
            raise _unknown(text, field, _("the quantity is not a number"))
    expiry = None
    if expiry_text:
        try:
            expiry = date.fromisoformat(expiry_text)
        except ValueError:
            raise _unknown(text, field, _("the expiry is not a date")) from None
    lot = _lot(user, item, lot_code)
    if lot is None and not new_lot_ok:
        raise _unknown(text, field, _("no such lot here"))
    return Scan(
        kind="lot",
        raw=text,
        item=item,
        lot=lot,
        lot_code=lot.code if lot else lot_code,
        quantity=quantity,
        expiry=expiry,
    )
