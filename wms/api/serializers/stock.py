"""On-hand stock rows, totals per item and the stock ledger (moves)."""

from decimal import Decimal

from django.db.models import F
from rest_framework import serializers

from core.api.fields import CodeField, CodeRefField, QuantityField
from core.api.hot import FieldsBuiltOnce, RowListSerializer
from core.models import Item, Partner, Unit
from wms.api.serializers.fields import CodeTextField
from wms.models import Bin, MoveKind, StockMove
from wms.models.stock import QUANTITY
from wms.selectors import references

# What a stock row shows of its related records: one column each, read with the row (`values`),
# so a page of 50 rows builds no model instances.
STOCK_ROW_COLUMNS = {
    "item_code": "item__code",
    "lot_code": "lot__code",
    "bin_code": "bin__code",
    "unit_code": "item__base_unit__code",
    "site_code": "site__code",
    "warehouse_code": "bin__warehouse__code",
    "zone_kind": "bin__zone__kind",
    "lot_status": "lot__status",
    "expiry": "lot__expiry",
}


# A stock row as read by `stock_rows`: item, lot, bin and where it is, by code.
class StockSerializer(FieldsBuiltOnce, serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    item = serializers.CharField(source="item_code", read_only=True)
    lot = serializers.CharField(source="lot_code", read_only=True, allow_null=True)
    bin = serializers.CharField(source="bin_code", read_only=True)
    quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    unit = serializers.CharField(source="unit_code", read_only=True)
    site = serializers.CharField(source="site_code", read_only=True)
    warehouse = serializers.CharField(source="warehouse_code", read_only=True)
    zone_kind = serializers.CharField(read_only=True)
    lot_status = serializers.CharField(read_only=True, allow_null=True)
    expiry = serializers.DateField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)

    class Meta:
        list_serializer_class = RowListSerializer


def stock_rows(rows):
    """The stock rows `rows` as dicts of exactly what StockSerializer shows."""
    return rows.values("id", "quantity", "updated_at", **{name: F(path) for name, path in STOCK_ROW_COLUMNS.items()})


class OnHandSerializer(FieldsBuiltOnce, serializers.Serializer):
    """One item's total on hand (a row of `wms.selectors.stock.on_hand_by_item`)."""

    item = serializers.CharField(source="item__code")
    name = serializers.CharField(source="item__name")
    unit = serializers.CharField(source="item__base_unit__code")
    quantity = serializers.DecimalField(**QUANTITY)
    value = serializers.DecimalField(max_digits=24, decimal_places=4)
    bins = serializers.IntegerField()
    lots = serializers.IntegerField()
    last_change = serializers.DateTimeField()

    class Meta:
        list_serializer_class = RowListSerializer


class StockMoveSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A line of the ledger. Posted with codes; answered with the move as booked (the quantity in
    the item's base unit, and what was entered)."""

    kind = serializers.ChoiceField(choices=MoveKind.choices)
    # The item and the bins are looked up together in `validate`, with the rows the ledger reads
    # next (no lazy loads); the lot by the ledger's own bin-lock statement.
    item = CodeRefField(queryset=Item.objects.all())
    lot = CodeTextField(max_length=60, required=False, allow_blank=True, allow_null=True)
    from_bin = CodeRefField(queryset=Bin.objects.all(), required=False, allow_null=True)
    to_bin = CodeRefField(queryset=Bin.objects.all(), required=False, allow_null=True)
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

    REFERENCES = ("item", "from_bin", "to_bin")

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Name the unknown codes beside the other fields' errors, as a lookup per field would.
            if isinstance(error.detail, dict) and isinstance(data, dict):
                codes = {}
                for field in self.REFERENCES:
                    if field not in error.detail and data.get(field) not in (None, ""):
                        codes[field] = str(data[field]).strip()
                error.detail.update(self._resolve(codes)[1])
            raise

    def validate(self, attrs):
        resolved, errors = self._resolve(
            {field: attrs[field] for field in self.REFERENCES if attrs.get(field) is not None}
        )
        if errors:
            raise serializers.ValidationError(errors)
        return {**attrs, **resolved}

    def _resolve(self, codes: dict[str, str]) -> tuple[dict, dict]:
        """The records of `codes` (field -> code) and the errors of those not found, with the item
        and the bins read in one statement."""
        user = self.context["request"].user
        bin_fields = [field for field in ("from_bin", "to_bin") if field in codes]
        bin_codes = [codes[field] for field in bin_fields]
        if "item" in codes:
            item, bins = references.move_references(user=user, item_code=codes["item"], bin_codes=bin_codes)
        else:
            item, bins = None, {}
        if item is None and bin_codes:  # no item row to read the bins with: look them up alone
            bins = {bin_.code: bin_ for bin_ in Bin.objects.for_user(user).filter(code__in=bin_codes)}
        resolved, errors = {}, {}
        if "item" in codes:
            if item is None:
                errors["item"] = [self.fields["item"].unknown(codes["item"])]
            resolved["item"] = item
        for field in bin_fields:
            if codes[field] in bins:
                resolved[field] = bins[codes[field]]
            else:
                errors[field] = [self.fields[field].unknown(codes[field])]
        return resolved, errors

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
