"""What our labels print and what a scanner sends back, for every module, in one place.

Payloads (fields separated by `|`, which no code may contain):

- lot label: ``WMS1|LOT|<item code>|<lot code>|<quantity>|<expiry YYYY-MM-DD or empty>``
- record label: ``WMS1|<KIND>|<code>``, for each kind an app registers (the warehouse registers
  ``BIN``; production can add machines or work orders the same way)

A scanner may also send a plain record code, a plain item code, ``<item code>|<lot code>`` (what
people type when a label is torn), or, where the screen says which lots it expects, a plain lot
code. `parse` resolves every code through the lookups the apps register, which read only what the
user may see, so another site's record or lot is as unknown as a made-up one.

`WMS1` is the label format's name, printed on every label in the plants: it never changes.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.models import Item
from core.quantities import parse_quantity, plain_quantity

PREFIX = "WMS1"
SEPARATOR = "|"
LOT_FIELDS = 6
RECORD_FIELDS = 3
# Keyboard-wedge scanners may send GS1 group separators or stray control characters.
_CONTROL = dict.fromkeys(range(32))


@dataclass(frozen=True)
class Scan:
    """One understood scan. `kind` is "item", "lot" or a registered record kind ("bin");
    `record` is the record of a registered kind. `lot` is None for an item, or for a lot label
    whose lot does not exist yet (allowed only when the caller receives goods: `lot_code` then
    names it)."""

    kind: str
    raw: str
    record: object = None
    item: Item | None = None
    lot: object = None
    lot_code: str = ""
    quantity: Decimal | None = None
    expiry: date | None = None


# A lookup takes the user and a code and answers the record the user may see, or None.
Lookup = Callable[[object, str], object]
_KINDS: dict[str, Lookup] = {}
_LOT_LOOKUP: list[Callable[[object, Item, str], object]] = []


def register_kind(kind: str, *, lookup: Lookup) -> None:
    """Make records of `kind` scannable: by their label (``WMS1|<KIND>|<code>``) and by their
    plain code (tried in the order kinds are registered, before item codes). Call it from the
    owning app's `ready()`."""
    _KINDS[kind] = lookup


def register_lot_lookup(lookup: Callable[[object, Item, str], object]) -> None:
    """Say how a lot is found from (user, item, lot code): the app that keeps lots calls this."""
    _LOT_LOOKUP[:] = [lookup]


def find_by_code(queryset, code: str, field_name: str = "code"):
    """Exact code first; then a case-insensitive match when it is unambiguous (caps lock on a
    wedge scanner turns `wh1-a-01` into `WH1-A-01`). For the registered lookups."""
    found = queryset.filter(**{field_name: code}).first()
    if found is not None:
        return found
    matches = list(queryset.filter(**{f"{field_name}__iexact": code})[:2])
    return matches[0] if len(matches) == 1 else None


def lot_payload(*, lot, quantity=None) -> str:
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


def record_payload(kind: str, code: str) -> str:
    """What the label of a record of a registered `kind` holds (`record_payload("bin", "A-01")`)."""
    return SEPARATOR.join([PREFIX, kind.upper(), code])


def unknown(raw: str, field: str, why: str = "") -> ValidationFailed:
    """The refusal of a code that is not one of ours (or not one the user may see)."""
    shown = raw if len(raw) <= 60 else raw[:57] + "..."
    params = {"code": shown or _("(empty)"), "why": why}
    if why:
        message = _("This code is not one of ours: %(code)s (%(why)s)") % params
    else:
        message = _("This code is not one of ours: %(code)s") % params
    return ValidationFailed(message, field=field, code="unknown_scan")


def _item(code: str) -> Item | None:
    return find_by_code(Item.objects.filter(active=True).select_related("base_unit"), code)


def _lot(user, item: Item, code: str):
    return _LOT_LOOKUP[0](user, item, code) if _LOT_LOOKUP else None


def parse(raw: str, *, user, field: str = "code", new_lot_ok: bool = False, lots=None) -> Scan:
    """Understand one scan. Raises ValidationFailed (code `unknown_scan`) for anything that is not
    a code of ours the user may see. With `new_lot_ok`, a lot label of a known item whose lot does
    not exist yet is accepted (receiving creates it). `lots`, a queryset of the lots the screen
    expects (say, those of the item being picked), lets a plain lot code stand for its label."""
    text = (raw or "").translate(_CONTROL).strip()
    if not text:
        raise unknown(text, field, _("nothing was scanned"))
    parts = [part.strip() for part in text.split(SEPARATOR)]

    if parts[0].upper() == PREFIX:
        kind = parts[1].lower() if len(parts) > 1 else ""
        if kind == "lot":
            if len(parts) != LOT_FIELDS:
                raise unknown(text, field, _("a lot label has 6 fields"))
            return _lot_scan(text, parts[2:], user, field, new_lot_ok)
        if kind in _KINDS:
            if len(parts) != RECORD_FIELDS:
                raise unknown(text, field, _("this label has 3 fields"))
            record = _KINDS[kind](user, parts[2]) if parts[2] else None
            if record is None:
                raise unknown(text, field, _("not known here"))
            return Scan(kind=kind, raw=text, record=record)
        raise unknown(text, field, _("unknown label type"))

    if len(parts) == 2:
        return _lot_scan(text, [parts[0], parts[1], "", ""], user, field, new_lot_ok)
    if len(parts) != 1:
        raise unknown(text, field)

    code = parts[0]
    for kind, lookup in _KINDS.items():
        record = lookup(user, code)
        if record is not None:
            return Scan(kind=kind, raw=text, record=record)
    if lots is not None:
        lot = _expected_lot(lots, text, code, field)
        if lot is not None:
            return Scan(kind="lot", raw=text, item=lot.item, lot=lot, lot_code=lot.code)
    item = _item(code)
    if item is not None:
        return Scan(kind="item", raw=text, item=item)
    raise unknown(text, field)


def _expected_lot(lots, text: str, code: str, field: str):
    """The one expected lot a plain code names (exact, else case-insensitive). Two lots of that code
    (of different items) cannot be told apart without the item: the label is needed."""
    lots = lots.select_related("item__base_unit")
    for lookup in ("code", "code__iexact"):
        matches = list(lots.filter(**{lookup: code})[:2])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise unknown(text, field, _("several items have this lot: scan the label or type ITEM|LOT"))
    return None


def _lot_scan(text: str, fields: list[str], user, field: str, new_lot_ok: bool) -> Scan:
    item_code, lot_code, quantity_text, expiry_text = fields
    item = _item(item_code) if item_code else None
    if item is None:
        raise unknown(text, field, _("no such item"))
    if not lot_code:
        raise unknown(text, field, _("the lot is missing"))
    quantity = None
    if quantity_text:
        try:
            quantity = parse_quantity(quantity_text, field=field)
        except ValidationFailed:
            raise unknown(text, field, _("the quantity is not a number")) from None
    expiry = None
    if expiry_text:
        try:
            expiry = date.fromisoformat(expiry_text)
        except ValueError:
            raise unknown(text, field, _("the expiry is not a date")) from None
    lot = _lot(user, item, lot_code)
    if lot is None and not new_lot_ok:
        raise unknown(text, field, _("no such lot here"))
    return Scan(
        kind="lot",
        raw=text,
        item=item,
        lot=lot,
        lot_code=lot.code if lot else lot_code,
        quantity=quantity,
        expiry=expiry,
    )
