"""Inventory alerts."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from wms.models import InventoryAlert


class InventoryAlertSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True, default=None)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    bin = serializers.CharField(source="bin.code", read_only=True, default=None)
    open = serializers.SerializerMethodField()
    text = serializers.CharField(
        read_only=True, help_text=_("The message in the request's language (Accept-Language).")
    )

    class Meta:
        model = InventoryAlert
        fields = [
            "id",
            "site",
            "kind",
            "severity",
            "key",
            "item",
            "lot",
            "bin",
            "message",
            "text",
            "details",
            "raised_at",
            "resolved_at",
            "open",
        ]
        read_only_fields = fields

    def get_open(self, alert) -> bool:
        return alert.resolved_at is None
