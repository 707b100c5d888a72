"""The one parser and the one plain text form of warehouse quantities."""

from decimal import Decimal

import pytest

from core.errors import ValidationFailed
from core.quantities import parse_quantity, plain_quantity


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", "", None, [1]])
def test_what_is_not_a_number_is_refused_on_the_named_field(value):
    with pytest.raises(ValidationFailed) as error:
        parse_quantity(value, field="picked_quantity")
    assert error.value.field == "picked_quantity"
    assert str(error.value.message) == "Enter a number."


@pytest.mark.parametrize("value", ["0", "-1", Decimal("-0.5")])
def test_zero_and_negative_are_refused(value):
    with pytest.raises(ValidationFailed) as error:
        parse_quantity(value)
    assert error.value.code == "quantity_not_positive" and error.value.field == "quantity"


def test_zero_is_allowed_when_asked_but_negative_never():
    assert parse_quantity("0", allow_zero=True) == 0
    with pytest.raises(ValidationFailed) as error:
        parse_quantity("-1", allow_zero=True)
    assert str(error.value.message) == "The quantity cannot be negative."


def test_a_quantity_comes_back_as_a_decimal():
    assert parse_quantity("12.5") == Decimal("12.5")
    assert parse_quantity(3) == Decimal(3)


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("12.500000"), "12.5"), (Decimal("1E+2"), "100"), (Decimal("0E-6"), "0"), (None, "")]
)
def test_plain_quantity_has_no_trailing_zeros_or_exponent(value, text):
    assert plain_quantity(value) == text
