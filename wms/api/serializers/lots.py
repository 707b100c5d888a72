"""Lots, their status changes and history."""

from rest_framework import serializers

from wms.models import Lot, LotStatus


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
    password = serializers.CharField(
        max_length=128,
        required=False,
        allow_blank=True,
        default="",
        write_only=True,
        trim_whitespace=False,
        help_text="The signer's password: releasing a quarantined, held or expired lot is signed by quality.",
    )
