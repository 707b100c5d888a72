"""On-hand stock rows, totals per item and the stock ledger (moves)."""

from decimal import Decimal

from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Item, Partner, Unit
from wms.api.serializers.fields import CodeTextField, QuantityField
from wms.models import Bin, MoveKind, StockMove, StockQuant
from wms.models.stock import QUANTITY


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
