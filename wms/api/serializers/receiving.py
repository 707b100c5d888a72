"""Expected receipts with their lines, and goods received against a line."""

from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField, DocumentLines, QuantityField
from core.models import Item, Partner, Site, Unit
from wms.models import Bin, ExpectedReceipt, ExpectedReceiptLine
from wms.models.stock import QUANTITY


class ExpectedReceiptLineSerializer(serializers.ModelSerializer):
    item = CodeField(queryset=Item.objects.all())
    quantity = QuantityField(help_text=gettext_lazy("In `unit`, or the item's base unit."))
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True, write_only=True)
    base_unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    received_quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    open_quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    over_tolerance_pct = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)
    under_tolerance_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, required=False
    )

    class Meta:
        model = ExpectedReceiptLine
        fields = [
            "id",
            "line_no",
            "item",
            "quantity",
            "unit",
            "base_unit",
            "received_quantity",
            "open_quantity",
            "over_tolerance_pct",
            "under_tolerance_pct",
            "closed",
        ]
        read_only_fields = ["line_no", "closed"]


class ExpectedReceiptSerializer(serializers.ModelSerializer):
    """An announced delivery with its lines (quantities in each item's base unit)."""

    number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    site = CodeField(queryset=Site.objects.all())
    supplier = CodeField(queryset=Partner.objects.filter(is_supplier=True), required=False, allow_null=True)
    lines = DocumentLines(child=ExpectedReceiptLineSerializer())
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = ExpectedReceipt
        fields = [
            "id",
            "number",
            "site",
            "supplier",
            "reference",
            "expected_date",
            "status",
            "lines",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError(_("Add at least one line."))
        return value


class ReceiveSerializer(serializers.Serializer):
    """Goods arriving against one line of an expected receipt."""

    line_no = serializers.IntegerField(min_value=1)
    item = CodeField(queryset=Item.objects.all(), required=False, help_text=gettext_lazy("Defaults to the line's."))
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    to_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    supplier_lot = serializers.CharField(max_length=60, required=False, allow_blank=True)
    manufactured_on = serializers.DateField(required=False, allow_null=True)
    expiry = serializers.DateField(required=False, allow_null=True)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
