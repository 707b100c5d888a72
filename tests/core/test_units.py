"""Unit conversion: same dimension through ratios, item packs through the item's conversions."""

from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from core.units import convert, to_base_unit
from tests.factories import ItemFactory, UnitConversionFactory, UnitFactory, gram, kg

pytestmark = pytest.mark.django_db


def test_same_unit_is_unchanged():
    pcs = UnitFactory()
    assert convert(Decimal("7"), pcs, pcs) == Decimal("7")


def test_same_dimension_converts_through_ratios():
    assert convert(Decimal("2.5"), kg(), gram()) == Decimal("2500")
    assert convert(Decimal("750"), gram(), kg()) == Decimal("0.75")


def test_item_pack_converts_to_base_and_back():
    conversion = UnitConversionFactory(factor=Decimal("50"))
    item, box, pcs = conversion.item, conversion.unit, conversion.item.base_unit
    assert to_base_unit(Decimal("3"), box, item) == Decimal("150")
    assert convert(Decimal("100"), pcs, box, item=item) == Decimal("2")


def test_cross_dimension_through_the_items_conversion():
    """A drum of refrigerant weighed in kg, counted in drums; grams go through the kg conversion."""
    drum = UnitFactory(code="drum", name="drum", dimension="count")
    item = ItemFactory(code="R134A", base_unit=drum)
    item.unit_conversions.create(unit=kg(), factor=Decimal("0.005"))  # 1 kg = 0.005 drum (200 kg per drum)
    assert to_base_unit(Decimal("400"), kg(), item) == Decimal("2.000")
    assert to_base_unit(Decimal("200000"), gram(), item) == Decimal("1.000")


def test_dimension_mismatch_without_a_conversion_is_a_clear_error():
    item = ItemFactory(base_unit=UnitFactory())
    with pytest.raises(ValidationFailed) as caught:
        to_base_unit(Decimal("1"), kg(), item)
    assert caught.value.code == "unit_mismatch"
    assert caught.value.field == "unit"
    assert "kg" in str(caught.value.message) and item.code in str(caught.value.message)


def test_mismatch_without_item():
    with pytest.raises(ValidationFailed):
        convert(Decimal("1"), kg(), UnitFactory())


def test_no_unit_means_base_unit():
    assert to_base_unit(Decimal("4"), None, ItemFactory()) == Decimal("4")
