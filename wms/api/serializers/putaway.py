"""Putaway: suggested bins for what arrived, and the confirmed putaway."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField, QuantityField
from core.models import Item, Site, Unit
from wms.models import Bin, Lot


class _ItemLotMixin:
    """Resolves `lot` (a code, unique per item) among the user's lots of `item`."""

    def validate(self, attrs):
        code = (attrs.get("lot") or "").strip()
        attrs["lot"] = None
        if code:
            user = self.context["request"].user
            lot = Lot.objects.for_user(user).filter(item=attrs["item"], code=code).first()
            if lot is None:
                raise serializers.ValidationError(
                    {"lot": [_("Unknown lot %(lot)s of %(item)s.") % {"lot": code, "item": attrs["item"].code}]}
                )
            attrs["lot"] = lot
        return attrs


class PutawaySuggestionRequestSerializer(_ItemLotMixin, serializers.Serializer):
    site = CodeField(queryset=Site.objects.all())
    item = CodeField(queryset=Item.objects.all())
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    from_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=5)


class BinSuggestionSerializer(serializers.Serializer):
    bin = serializers.CharField(source="bin.code")
    warehouse = serializers.CharField(source="bin.warehouse.code")
    zone = serializers.CharField(source="bin.zone.code")
    zone_kind = serializers.CharField(source="bin.zone.kind")
    distance_rank = serializers.IntegerField(source="bin.distance_rank")
    score = serializers.DecimalField(max_digits=10, decimal_places=2)
    reasons = serializers.ListField(child=serializers.CharField())


class PutawaySerializer(_ItemLotMixin, serializers.Serializer):
    item = CodeField(queryset=Item.objects.all())
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    from_bin = CodeField(queryset=Bin.objects.all())
    to_bin = CodeField(queryset=Bin.objects.all())
    suggested_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
