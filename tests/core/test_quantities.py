"""The one strict parser (service, form field, API field) and the one plain text form of quantities."""

from decimal import Decimal

import pytest
from django import forms
from rest_framework import serializers

from core.api.fields import QuantityField as ApiQuantityField
from core.errors import ValidationFailed
from core.models import Unit
from core.quantities import QuantityField, parse_quantity, plain_quantity


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "NaN",
        "Infinity",
        "-inf",
        "",
        None,
        [1],
        True,
        "1_000",
        "1,000",
        "1,5",
        "١٢",
        "𝟏𝟐",
        "１２",
        "1e400",
        "1E+30",
        "1e3",
        float("inf"),
        float("nan"),
        1e30,
        "1.2.3",
        "+-1",
        " 1 2 ",
        "0x10",
        "1" * 61,
    ],
)
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


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_decimal_nan_and_infinities_are_refused(value):
    with pytest.raises(ValidationFailed) as error:
        parse_quantity(value)
    assert str(error.value.message) == "Enter a number."


def test_more_decimals_than_stored_is_an_error_not_a_rounding():
    with pytest.raises(ValidationFailed) as error:
        parse_quantity("1.0000000000000000000001")
    assert error.value.code == "too_many_decimals"
    assert parse_quantity("1.000001") == Decimal("1.000001")
    assert parse_quantity("1.5000000000") == Decimal("1.5")


def test_a_unit_allows_its_own_decimals_only():
    pcs = Unit(code="pcs", decimals=0)
    gram = Unit(code="g", dimension="mass", decimals=1)
    assert parse_quantity("3", unit=pcs) == 3
    assert parse_quantity("3.0", unit=pcs) == 3
    with pytest.raises(ValidationFailed) as error:
        parse_quantity("2.5", unit=pcs)
    assert str(error.value.message) == "pcs is counted in whole numbers."
    assert parse_quantity("2.5", unit=gram) == Decimal("2.5")
    with pytest.raises(ValidationFailed) as error:
        parse_quantity("2.55", unit=gram)
    assert str(error.value.message) == "At most 1 decimal places in g."


def test_a_quantity_beyond_the_column_is_refused():
    assert parse_quantity("999999999999") == Decimal("999999999999")
    with pytest.raises(ValidationFailed) as error:
        parse_quantity("1000000000000")
    assert error.value.code == "quantity_too_large"


def test_plain_ascii_notation_with_sign_and_leading_point_is_taken():
    assert parse_quantity(" +12.50 ") == Decimal("12.5")
    assert parse_quantity(".5") == Decimal("0.5")
    assert parse_quantity("7.") == Decimal(7)
    assert parse_quantity(1.25) == Decimal("1.25")


@pytest.mark.parametrize(("value", "ok"), [("12.5", True), ("1_000", False), ("1e400", False), ("0", False)])
def test_the_form_field_and_the_api_field_agree_with_the_parser(value, ok):
    form_field = QuantityField()
    api_field = ApiQuantityField()
    api_field.bind("quantity", None)
    if ok:
        assert form_field.clean(value) == api_field.to_internal_value(value) == parse_quantity(value)
        return
    with pytest.raises(forms.ValidationError):
        form_field.clean(value)
    with pytest.raises(serializers.ValidationError):
        api_field.to_internal_value(value)


def test_the_fields_take_zero_when_asked():
    assert QuantityField(allow_zero=True).clean("0") == 0
    api_field = ApiQuantityField(allow_zero=True)
    api_field.bind("counted_quantity", None)
    assert api_field.to_internal_value("0") == 0
