"""Fields shared by the warehouse API's serializers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from wms.models.stock import QUANTITY


class CodeTextField(serializers.CharField):
    """A related record written as the code text a scanner or system sends (the service or
    `validate` resolves it) and read back as that record's code, without loading anything else."""

    def get_attribute(self, instance):
        related = super().get_attribute(instance)
        return related.code if related is not None else None


class QuantityField(serializers.DecimalField):
    """A strictly positive decimal (string or number); NaN, infinities and exponents beyond the
    column's range are refused as malformed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", QUANTITY["max_digits"])
        kwargs.setdefault("decimal_places", QUANTITY["decimal_places"])
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if value <= 0:
            raise serializers.ValidationError(_("The quantity must be greater than zero."))
        return value
