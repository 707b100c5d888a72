"""Warehouses, zones and bins."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Site
from wms.api.serializers.fields import CodeTextField
from wms.models import Bin, Warehouse, Zone


class WarehouseSerializer(serializers.ModelSerializer):
    site = CodeField(queryset=Site.objects.all())

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "site", "count_variance_pct", "count_variance_value"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["site"].read_only = True
            fields["code"].read_only = True
        return fields


class ZoneSerializer(serializers.ModelSerializer):
    warehouse = CodeField(queryset=Warehouse.objects.all())
    site = serializers.CharField(source="warehouse.site.code", read_only=True)
    allowed_item_types = serializers.ListField(child=serializers.CharField(max_length=20), required=False)

    class Meta:
        model = Zone
        fields = [
            "id",
            "code",
            "name",
            "warehouse",
            "site",
            "kind",
            "allowed_item_types",
            "allows_hazardous",
            "temperature_class",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["warehouse"].read_only = True
            fields["code"].read_only = True
        return fields


class BinSerializer(serializers.ModelSerializer):
    """A bin. On create its code is built from warehouse-aisle-rack-level-position."""

    site = serializers.CharField(source="warehouse.site.code", read_only=True)
    warehouse = CodeField(queryset=Warehouse.objects.all())
    zone = CodeTextField(max_length=41, help_text=_("zone code within the warehouse"))
    zone_kind = serializers.CharField(source="zone.kind", read_only=True)

    class Meta:
        model = Bin
        fields = [
            "id",
            "code",
            "site",
            "warehouse",
            "zone",
            "zone_kind",
            "aisle",
            "rack",
            "level",
            "position",
            "max_volume_l",
            "max_weight_kg",
            "max_lots",
            "distance_rank",
            "pick_sequence",
            "blocked",
            "blocked_reason",
        ]
        read_only_fields = ["code", "blocked", "blocked_reason"]
        extra_kwargs = {"aisle": {"required": True, "allow_blank": False}}

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            fields["warehouse"].read_only = True
        return fields

    def validate(self, attrs):
        warehouse = attrs.get("warehouse") or getattr(self.instance, "warehouse", None)
        zone_code = attrs.get("zone")
        if zone_code is not None:
            zone_code = zone_code.split("/", 1)[-1].strip()
            zone = Zone.objects.filter(warehouse=warehouse, code=zone_code).first()
            if zone is None:
                raise serializers.ValidationError({"zone": [_("Unknown code '%(code)s'.") % {"code": zone_code}]})
            attrs["zone"] = zone
        return attrs


class BlockSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
