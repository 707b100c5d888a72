"""Quantities in units: conversion to an item's base unit."""

from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import ValidationFailed


def validate_positive(value) -> None:
    """A unit's size or a pack's factor: greater than zero (the database refuses anything else)."""
    from django.core.exceptions import ValidationError

    if value is not None and value <= 0:
        raise ValidationError(_("Enter a number greater than zero."), code="min_value")


def convert(quantity: Decimal, from_unit, to_unit, *, item=None) -> Decimal:
    """Convert `quantity` of `from_unit` into `to_unit`.

    Units of the same dimension convert through their ratios; across dimensions or packs the
    item's own conversions (1 box = 50 pcs) are used. Anything else is a clear error.
    """
    quantity = Decimal(quantity)
    if from_unit.pk == to_unit.pk:
        return quantity
    factors = {}
    if item is not None:
        factors = {c.unit_id: c.factor for c in item.unit_conversions.all()}
    # A pack of the item (1 box = 50 pcs) wins over the generic ratio of its dimension: a box and
    # a piece are both counts, yet a box of this item is 50 of them.
    packed = from_unit.pk in factors or to_unit.pk in factors
    if from_unit.dimension == to_unit.dimension and not packed:
        return quantity * from_unit.ratio / to_unit.ratio
    if item is not None:
        factors.setdefault(item.base_unit_id, Decimal(1))
        from_factor = _factor_to_base(from_unit, item, factors)
        to_factor = _factor_to_base(to_unit, item, factors)
        if from_factor is not None and to_factor is not None:
            return quantity * from_factor / to_factor
    names = {"from": from_unit.code, "to": to_unit.code, "item": item.code if item else ""}
    if item is not None:
        message = _("%(from)s cannot be converted to %(to)s for %(item)s.") % names
    else:
        message = _("%(from)s cannot be converted to %(to)s.") % names
    raise ValidationFailed(message, code="unit_mismatch", field="unit")


def _factor_to_base(unit, item, factors: dict) -> Decimal | None:
    """Base units of `item` in one `unit`, directly or through a same-dimension unit."""
    if unit.pk in factors:
        return factors[unit.pk]
    base = item.base_unit
    if unit.dimension == base.dimension:
        return unit.ratio / base.ratio
    for other_id, factor in factors.items():
        other = next((c.unit for c in item.unit_conversions.all() if c.unit_id == other_id), None)
        if other is not None and other.dimension == unit.dimension:
            return factor * unit.ratio / other.ratio
    return None


def to_base_unit(quantity: Decimal, unit, item) -> Decimal:
    """`quantity` of `unit` expressed in the item's base unit."""
    if unit is None:
        return Decimal(quantity)
    return convert(quantity, unit, item.base_unit, item=item)
