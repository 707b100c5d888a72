"""Fields shared by the warehouse API's serializers (quantities use `core.api.fields.QuantityField`)."""

from rest_framework import serializers


class CodeTextField(serializers.CharField):
    """A related record written as the code text a scanner or system sends (the service or
    `validate` resolves it) and read back as that record's code, without loading anything else."""

    def get_attribute(self, instance):
        related = super().get_attribute(instance)
        return related.code if related is not None else None
