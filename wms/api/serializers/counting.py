"""Cycle-count tasks (blind while open), counts and signatures."""

from rest_framework import serializers

from core.api.fields import CodeField, QuantityField
from core.models import Site
from wms.models import CountStatus, CountTask


class CountTaskSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    bin = serializers.CharField(source="bin.code", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    counted_by = serializers.CharField(source="counted_by.username", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    adjustment = serializers.PrimaryKeyRelatedField(read_only=True)
    recount_of = serializers.PrimaryKeyRelatedField(read_only=True)

    BLIND_FIELDS = ("system_quantity", "variance", "variance_value")

    class Meta:
        model = CountTask
        fields = [
            "id",
            "site",
            "bin",
            "item",
            "item_name",
            "unit",
            "lot",
            "due_date",
            "status",
            "system_quantity",
            "counted_quantity",
            "variance",
            "variance_value",
            "reason",
            "counted_by",
            "counted_at",
            "approved_by",
            "approved_at",
            "adjustment",
            "recount_of",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.status == CountStatus.OPEN:
            for field in self.BLIND_FIELDS:  # blind count: the counter must not see the records
                data[field] = None
        return data


class GenerateCountsSerializer(serializers.Serializer):
    site = CodeField(queryset=Site.objects.all())


class SubmitCountSerializer(serializers.Serializer):
    counted_quantity = QuantityField(allow_zero=True)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SignCountSerializer(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
