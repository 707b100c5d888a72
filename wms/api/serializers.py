"""Serializers of the warehouse API: records referenced by their codes, quantities as decimal strings.

Input serializers only check shape (known codes, a positive number); the services decide the rest.
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Item, Partner, Site, Unit
from wms.models import Bin, Lot, LotStatus, MoveKind, StockMove, StockQuant, Warehouse, Zone
from wms.models.stock import QUANTITY


class CodeTextField(serializers.CharField):
    """A related record written as the code text a scanner or system sends (the service or
    `validate` resolves it) and read back as that record's code, without loading anything else."""

    def get_attribute(self, instance):
        related = super().get_attribute(instance)
        return related.code if related is not None else None


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


class LotSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    supplier = serializers.CharField(source="supplier.code", read_only=True, default=None, allow_null=True)
    base_unit = serializers.CharField(source="item.base_unit.code", read_only=True)

    class Meta:
        model = Lot
        fields = [
            "id",
            "code",
            "item",
            "site",
            "status",
            "status_reason",
            "is_serial",
            "supplier",
            "supplier_lot",
            "manufactured_on",
            "expiry",
            "received_at",
            "base_unit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class LotHistorySerializer(serializers.Serializer):
    """One entry of a lot's history (simple-history record)."""

    at = serializers.DateTimeField(source="history_date")
    user = serializers.CharField(source="history_user.username", default=None)
    change = serializers.CharField(source="get_history_type_display")
    status = serializers.CharField()
    status_reason = serializers.CharField()
    expiry = serializers.DateField()
    reason = serializers.CharField(source="history_change_reason", default=None)


class LotStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=LotStatus.choices)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class StockSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None, allow_null=True)
    bin = serializers.CharField(source="bin.code", read_only=True)
    site = serializers.CharField(source="site.code", read_only=True)
    warehouse = serializers.CharField(source="bin.warehouse.code", read_only=True)
    zone_kind = serializers.CharField(source="bin.zone.kind", read_only=True)
    unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    lot_status = serializers.CharField(source="lot.status", read_only=True, default=None, allow_null=True)
    expiry = serializers.DateField(source="lot.expiry", read_only=True, default=None, allow_null=True)

    class Meta:
        model = StockQuant
        fields = [
            "id",
            "item",
            "lot",
            "bin",
            "quantity",
            "unit",
            "site",
            "warehouse",
            "zone_kind",
            "lot_status",
            "expiry",
            "updated_at",
        ]
        read_only_fields = fields


class OnHandSerializer(serializers.Serializer):
    """One item's total on hand (a row of `wms.selectors.stock.on_hand_by_item`)."""

    item = serializers.CharField(source="item__code")
    name = serializers.CharField(source="item__name")
    unit = serializers.CharField(source="item__base_unit__code")
    quantity = serializers.DecimalField(**QUANTITY)
    value = serializers.DecimalField(max_digits=24, decimal_places=4)
    bins = serializers.IntegerField()
    lots = serializers.IntegerField()
    last_change = serializers.DateTimeField()


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


class StockMoveSerializer(serializers.ModelSerializer):
    """A line of the ledger. Posted with codes; answered with the move as booked (the quantity in
    the item's base unit, and what was entered)."""

    kind = serializers.ChoiceField(choices=MoveKind.choices)
    item = CodeField(queryset=Item.objects.all())
    lot = CodeTextField(max_length=60, required=False, allow_blank=True, allow_null=True)
    from_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    to_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True, write_only=True)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    # Attributes of a lot created by this receipt (ignored when the lot exists).
    expiry = serializers.DateField(required=False, allow_null=True, write_only=True)
    manufactured_on = serializers.DateField(required=False, allow_null=True, write_only=True)
    supplier_lot = serializers.CharField(max_length=60, required=False, allow_blank=True, write_only=True)
    supplier = CodeField(queryset=Partner.objects.filter(is_supplier=True), required=False, write_only=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "kind",
            "site",
            "item",
            "lot",
            "from_bin",
            "to_bin",
            "quantity",
            "unit",
            "base_unit",
            "entered_quantity",
            "entered_unit",
            "reference",
            "reason",
            "user",
            "created_at",
            "expiry",
            "manufactured_on",
            "supplier_lot",
            "supplier",
        ]

    site = serializers.CharField(source="site.code", read_only=True)
    base_unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    entered_quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    entered_unit = serializers.CharField(source="entered_unit.code", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)
    created_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["unit"] = instance.item.base_unit.code
        return data

    def validate_lot(self, value):
        return (value or "").strip() or None

    def post_data(self) -> dict:
        """The validated body as keyword arguments of `wms.services.ledger.post_move`."""
        data = dict(self.validated_data)
        lot_attributes = {
            key: data.pop(key)
            for key in ("expiry", "manufactured_on", "supplier_lot", "supplier")
            if data.get(key) not in (None, "")
        }
        for key in ("expiry", "manufactured_on", "supplier_lot", "supplier"):
            data.pop(key, None)
        return {
            "kind": data["kind"],
            "item": data["item"],
            "quantity": Decimal(data["quantity"]),
            "unit": data.get("unit"),
            "lot_code": data.get("lot"),
            "from_bin": data.get("from_bin"),
            "to_bin": data.get("to_bin"),
            "reference": data.get("reference", ""),
            "reason": data.get("reason", ""),
            "lot_attributes": lot_attributes,
        }
