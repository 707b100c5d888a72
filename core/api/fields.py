from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import quantities
from core.errors import ValidationFailed


class CodeField(serializers.SlugRelatedField):
    """A reference to a record by its natural code (what is printed on the label).

    When the model is site-scoped, only the requesting user's records resolve: another site's
    code is as unknown as a code that does not exist.
    """

    default_error_messages = {
        "does_not_exist": _("Unknown code '{value}'."),
        "invalid": _("Enter a code."),
    }

    def __init__(self, slug_field="code", **kwargs):
        super().__init__(slug_field=slug_field, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is not None and hasattr(queryset, "for_user"):
            queryset = queryset.for_user(request.user)
        return queryset

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip()
        return super().to_internal_value(data)


class CodeRefField(CodeField):
    """A CodeField whose record the serializer looks up itself, together with others in one
    statement (its `validate`): the field only checks that a code was sent and hands it on
    stripped. Documented, answered and reported as unknown exactly like a CodeField."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        return str(data).strip()

    def unknown(self, code: str) -> str:
        """The message for a code that names no record the user can see."""
        return self.error_messages["does_not_exist"].format(slug_name=self.slug_field, value=code)


class DocumentLines(serializers.ListSerializer):
    """The lines of one document (an expected receipt, a pick list), at most MAX_DOCUMENT_LINES.

    The count is checked before any line is validated, so an oversized document is refused at
    once with a 400 naming the limit instead of being worked through line by line.
    """

    def to_internal_value(self, data):
        limit = settings.MAX_DOCUMENT_LINES
        if isinstance(data, list) and len(data) > limit:
            raise serializers.ValidationError(
                _("A document has at most %(limit)s lines; this one has %(count)s. Split it.")
                % {"limit": limit, "count": len(data)},
                code="too_many_lines",
            )
        return super().to_internal_value(data)


class QuantityField(serializers.DecimalField):
    """A quantity (decimal string, or number) parsed by `core.quantities.parse_quantity`, the parser
    the forms and services use: ASCII decimal notation only, greater than zero (or at least zero
    with `allow_zero`), never more decimal places than the stock columns hold (no rounding).
    Answered as a decimal string."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_digits", quantities.MAX_DIGITS)
        kwargs.setdefault("decimal_places", quantities.MAX_DECIMALS)
        if allow_zero:
            kwargs.setdefault("min_value", Decimal(0))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        try:
            return quantities.parse_quantity(data, field=self.field_name or "quantity", allow_zero=self.allow_zero)
        except ValidationFailed as error:
            raise serializers.ValidationError(str(error.message), code=error.code) from None
