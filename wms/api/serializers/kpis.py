"""Query parameters of the warehouse KPIs."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Site
from wms.selectors import kpis
from wms.services import counting


class KpiQuerySerializer(serializers.Serializer):
    """Query parameters of the KPI resources. The period defaults to the last 90 days."""

    site = CodeField(queryset=Site.objects.all())
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    group_by = serializers.CharField(required=False)
    a_share = serializers.FloatField(required=False, default=0.8, min_value=0.01, max_value=1)
    b_share = serializers.FloatField(required=False, default=0.95, min_value=0.01, max_value=1)

    def validate(self, attrs):
        end = attrs.get("end") or counting.site_today(attrs["site"])
        start = attrs.get("start") or end - timedelta(days=89)
        if start > end:
            raise serializers.ValidationError({"end": [_("The end date must not be before the start date.")]})
        attrs["start"], attrs["end"] = start, end
        return attrs


class InventoryValueQuerySerializer(serializers.Serializer):
    site = CodeField(queryset=Site.objects.all(), required=False)
    group_by = serializers.ChoiceField(choices=list(kpis.GROUPINGS), default="warehouse")
