"""How values read on screen, shared by the record pages and the audit trail."""

from decimal import Decimal


def plain_decimal(value: Decimal) -> Decimal:
    """Trailing zeros dropped, keeping two decimals when there is a fraction shorter than that
    (4.2000 -> 4.20, 685.0000 -> 685, 0.001000 -> 0.001)."""
    normal = value.normalize()
    if normal == normal.to_integral():
        return normal.quantize(Decimal(1))
    if normal.as_tuple().exponent > -2:
        return normal.quantize(Decimal("0.01"))
    return normal
