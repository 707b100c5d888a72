"""Warehouse KPIs from `wms.selectors.kpis` (pandas frames sent as JSON rows); ABC classes
applied through `wms.services.abc`."""

import math
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from wms.api.serializers import kpis as serializers
from wms.models import StockQuant
from wms.selectors import kpis
from wms.services import abc

DECIMAL_PLACES = {
    "average_quantity": 6,
    "end_quantity": 6,
    "average_inventory_value": 2,
    "volume_used_l": 3,
    "weight_used_kg": 3,
    "max_volume_l": 3,
    "max_weight_kg": 3,
}


def _json_value(column: str, value):
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, Decimal):
        value = value.item()  # numpy scalar
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        if column in DECIMAL_PLACES:
            return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-DECIMAL_PLACES[column])))
        return value
    if isinstance(value, Decimal):
        return str(value)
    return value


def frame_records(frame) -> list[dict]:
    """A KPI DataFrame as JSON-ready rows: quantities and money as decimal strings, gaps as null."""
    columns = list(frame.columns)
    return [
        {column: _json_value(column, value) for column, value in zip(columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]


class KpiViewSet(viewsets.GenericViewSet):
    """Warehouse KPIs. Period parameters are ISO dates `start` and `end` (default: the last 90
    days); `site` is a site code."""

    queryset = StockQuant.objects.none()  # permissions below; rows come from wms.selectors.kpis
    serializer_class = serializers.KpiQuerySerializer
    required_permissions = {"GET": ["wms.view_stockquant"], "POST": ["core.change_item"]}
    pagination_class = None
    filter_backends = []

    def _query(self, serializer_class=serializers.KpiQuerySerializer):
        query = serializer_class(data=self.request.query_params, context={"request": self.request})
        query.is_valid(raise_exception=True)
        return query.validated_data

    def _period_answer(self, q, frame):
        return Response(
            {
                "site": q["site"].code,
                "start": q["start"].isoformat(),
                "end": q["end"].isoformat(),
                "results": frame_records(frame),
            }
        )

    @extend_schema(parameters=[serializers.InventoryValueQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"], url_path="inventory-value")
    def inventory_value(self, request):
        q = self._query(serializers.InventoryValueQuerySerializer)
        site = q.get("site")
        frame = kpis.inventory_value(user=request.user, site=site, group_by=q["group_by"])
        return Response(
            {"site": site.code if site else None, "group_by": q["group_by"], "results": frame_records(frame)}
        )

    @extend_schema(parameters=[serializers.KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def turnover(self, request):
        q = self._query()
        return self._period_answer(q, kpis.turnover(user=request.user, site=q["site"], start=q["start"], end=q["end"]))

    @extend_schema(parameters=[serializers.KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"], url_path="bin-utilisation")
    def bin_utilisation(self, request):
        q = self._query()
        frame = kpis.bin_utilisation(user=request.user, site=q["site"], group_by=q.get("group_by") or "bin")
        return Response({"site": q["site"].code, "results": frame_records(frame)})

    @extend_schema(parameters=[serializers.KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def abc(self, request):
        q = self._query()
        frame = kpis.abc_from_usage(
            user=request.user,
            site=q["site"],
            start=q["start"],
            end=q["end"],
            a_share=q["a_share"],
            b_share=q["b_share"],
        )
        return self._period_answer(q, frame)

    @extend_schema(request=serializers.KpiQuerySerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"], url_path="abc/apply")
    def abc_apply(self, request):
        data = serializers.KpiQuerySerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        q = data.validated_data
        changed = abc.apply_abc_classes(
            site=q["site"],
            user=request.user,
            start=q["start"],
            end=q["end"],
            a_share=q["a_share"],
            b_share=q["b_share"],
        )
        return Response({"site": q["site"].code, "start": q["start"], "end": q["end"], "changed": changed})
