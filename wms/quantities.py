"""Quantities as the warehouse takes them in and writes them out: one parser for a quantity a
person or system entered, and one plain text form for messages, events and labels."""

from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import ValidationFailed


def parse_quantity(value, *, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    """`value` as a finite Decimal greater than zero (or at least zero with `allow_zero`).
    Anything else is a ValidationFailed on `field`."""
    try:
        quantity = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationFailed(_("Enter a number."), field=field) from exc
    if not quantity.is_finite():
        raise ValidationFailed(_("Enter a number."), field=field)
    if quantity < 0 or (quantity == 0 and not allow_zero):
        message = _("The quantity cannot be negative.") if allow_zero else _("The quantity must be greater than zero.")
        raise ValidationFailed(message, field=field, code="quantity_not_positive")
    return quantity


def plain_quantity(value) -> str:
    """A quantity as people read it: no trailing zeros, no exponent (`12.500000` -> `12.5`);
    empty for None."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
