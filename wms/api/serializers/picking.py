"""Pick lists, their lines and picks."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField, DocumentLines, QuantityField
from core.models import Item, Site, Unit
from wms.models import Bin, PickLine, PickList, PickPurpose


class PickLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    base_unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    bin = serializers.CharField(source="bin.code", read_only=True, default=None)
    picked_by = serializers.CharField(source="picked_by.username", read_only=True, default=None)

    class Meta:
        model = PickLine
        fields = [
            "id",
            "sequence",
            "item",
            "lot",
            "bin",
            "quantity",
            "base_unit",
            "picked_quantity",
            "short_quantity",
            "status",
            "picked_by",
            "picked_at",
            "move",
        ]
        read_only_fields = fields


class PickListSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    destination_bin = serializers.CharField(source="destination_bin.code", read_only=True, default=None)
    lines = PickLineSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = PickList
        fields = [
            "id",
            "number",
            "site",
            "purpose",
            "reference",
            "destination_bin",
            "status",
            "lines",
            "created_by",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class PickRequestLineSerializer(serializers.Serializer):
    item = CodeField(queryset=Item.objects.all())
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)


class PickListCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    site = CodeField(queryset=Site.objects.all())
    purpose = serializers.ChoiceField(choices=PickPurpose.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    destination_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    lines = DocumentLines(child=PickRequestLineSerializer())

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError(_("Add at least one line."))
        return value


class PickSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(min_value=1)
    picked_quantity = QuantityField(allow_zero=True)
    scanned_bin = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    scanned_lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
