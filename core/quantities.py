"""Quantities as every module takes them in and writes them out: one strict parser for a quantity a
person or a system entered (used by the services, the API field and the form field), and one
plain text form for messages, events and labels.

Accepted: ASCII decimal notation, an optional sign, at most one `.` (`12`, `12.5`, `.5`).
Refused: grouping (`1_000`, `1,000`), other scripts' digits (`١٢`, `𝟏𝟐`), exponents (`1e3`),
NaN and infinities, and more decimal places than the stock columns hold or the unit allows:
a quantity is never silently rounded.
"""

import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _

from core.errors import ValidationFailed

# What a stock quantity column holds (NUMERIC(18, 6)).
MAX_DIGITS = 18
MAX_DECIMALS = 6
_NOTATION = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
_MAX_TEXT = 60


def _refuse(field: str, message=None, code: str = "invalid_quantity") -> ValidationFailed:
    return ValidationFailed(message or _("Enter a number."), field=field, code=code)


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _refuse(field)
    text = value.strip() if isinstance(value, str) else str(value)
    if len(text) > _MAX_TEXT or not _NOTATION.fullmatch(text):
        raise _refuse(field)
    return Decimal(text)


def decimal_places(quantity: Decimal) -> int:
    """Significant decimal places (`1.50` has 1)."""
    exponent = quantity.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def parse_quantity(value, *, field: str = "quantity", allow_zero: bool = False, unit=None) -> Decimal:
    """`value` (text, int, float or Decimal) as a Decimal greater than zero (or at least zero with
    `allow_zero`), with no more decimal places than `unit` allows (its `decimals`) or the stock
    columns hold. Anything else is a ValidationFailed on `field`."""
    quantity = _decimal(value, field)
    if not quantity.is_finite():
        raise _refuse(field)
    if quantity < 0 or (quantity == 0 and not allow_zero):
        message = _("The quantity cannot be negative.") if allow_zero else _("The quantity must be greater than zero.")
        raise ValidationFailed(message, field=field, code="quantity_not_positive")
    check_decimals(quantity, unit=unit, field=field)
    if quantity.adjusted() >= MAX_DIGITS - MAX_DECIMALS:
        raise ValidationFailed(
            _("The quantity is too large (at most %(n)s digits before the point).") % {"n": MAX_DIGITS - MAX_DECIMALS},
            field=field,
            code="quantity_too_large",
        )
    return quantity


def check_decimals(quantity: Decimal, *, unit=None, field: str = "quantity") -> None:
    """Refuse more decimal places than `unit` allows (or the stock columns hold without a unit)."""
    allowed = MAX_DECIMALS if unit is None else min(unit.decimals, MAX_DECIMALS)
    if decimal_places(quantity) <= allowed:
        return
    if unit is None:
        message = _("At most %(n)s decimal places.") % {"n": allowed}
    elif allowed == 0:
        message = _("%(unit)s is counted in whole numbers.") % {"unit": unit.code}
    else:
        message = _("At most %(n)s decimal places in %(unit)s.") % {"n": allowed, "unit": unit.code}
    raise ValidationFailed(message, field=field, code="too_many_decimals")


def plain_quantity(value) -> str:
    """A quantity as people read it: no trailing zeros, no exponent (`12.500000` -> `12.5`);
    empty for None."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


class QuantityField(forms.CharField):
    """A form field for a quantity, parsed by `parse_quantity` (the API's field uses the same).
    `allow_zero` for counts and short picks."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", _MAX_TEXT)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            return parse_quantity(text, allow_zero=self.allow_zero)
        except ValidationFailed as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None


def fit_to_unit(form, name: str, unit) -> None:
    """On a form whose unit is known only after cleaning (the item's, or the one typed): refuse
    the quantity in field `name` when it has more decimal places than `unit` allows."""
    quantity = form.cleaned_data.get(name)
    if quantity is None or unit is None:
        return
    try:
        check_decimals(quantity, unit=unit, field=name)
    except ValidationFailed as error:
        form.add_error(name, str(error.message))
