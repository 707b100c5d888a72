"""Number formatting for the warehouse desk pages."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def qty(value):
    """A quantity without trailing zeros, digits grouped (12,500 / 2.5 / 0.125)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value
    text = format(number.normalize(), "f")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def any_positive(rows, key):
    """True when some row's `key` is above zero: a chart of nothing but zeros is left out."""
    for row in rows or ():
        value = row.get(key) if isinstance(row, dict) else getattr(row, key, None)
        if value is not None and value > 0:
            return True
    return False
