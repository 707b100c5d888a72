"""The warehouse control API: cycle counts, inventory alerts and KPIs.

Reads go through `wms.selectors.control` and `wms.selectors.kpis` (scoped to the user's sites);
writes through `wms.services.counting` and `wms.services.abc`. Counts are blind: a task's
system quantity and variance are not shown while it is still to be counted.
"""

import math
from datetime import timedelta
from decimal import Decimal

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fields import CodeField
from core.api.viewsets import ScopedReadOnlyViewSet
from core.models import Site
from wms.models import AlertKind, AlertSeverity, CountStatus, CountTask, InventoryAlert, StockQuant
from wms.selectors import control as selectors
from wms.selectors import kpis
from wms.services import abc, counting

# Serializers


class CountTaskSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    bin = serializers.CharField(source="bin.code", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    counted_by = serializers.CharField(source="counted_by.username", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    adjustment = serializers.PrimaryKeyRelatedField(read_only=True)
    recount_of = serializers.PrimaryKeyRelatedField(read_only=True)

    BLIND_FIELDS = ("system_quantity", "variance", "variance_value")

    class Meta:
        model = CountTask
        fields = [
            "id",
            "site",
            "bin",
            "item",
            "item_name",
            "unit",
            "lot",
            "due_date",
            "status",
            "system_quantity",
            "counted_quantity",
            "variance",
            "variance_value",
            "reason",
            "counted_by",
            "counted_at",
            "approved_by",
            "approved_at",
            "adjustment",
            "recount_of",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.status == CountStatus.OPEN:
            for field in self.BLIND_FIELDS:  # blind count: the counter must not see the records
                data[field] = None
        return data


class GenerateCountsSerializer(serializers.Serializer):
    site = CodeField(queryset=Site.objects.all())


class SubmitCountSerializer(serializers.Serializer):
    counted_quantity = serializers.DecimalField(max_digits=18, decimal_places=6, min_value=Decimal(0))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SignCountSerializer(serializers.Serializer):
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


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


# Filters


class CountTaskFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    warehouse = django_filters.CharFilter(field_name="bin__warehouse__code")
    bin = django_filters.CharFilter(field_name="bin__code")
    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    status = django_filters.MultipleChoiceFilter(choices=CountStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = CountTask
        fields = ["site", "warehouse", "bin", "item", "lot", "status", "due_before"]


class InventoryAlertFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    kind = django_filters.MultipleChoiceFilter(choices=AlertKind.choices)
    severity = django_filters.ChoiceFilter(choices=AlertSeverity.choices)
    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    bin = django_filters.CharFilter(field_name="bin__code")
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = InventoryAlert
        fields = ["site", "kind", "severity", "item", "lot", "bin", "open"]


# Views


class CountTaskViewSet(ScopedReadOnlyViewSet):
    """Cycle-count tasks. POST `generate/` creates today's tasks for a site; `{id}/count/`
    records a blind count; `{id}/approve/` and `{id}/reject/` sign a large variance."""

    queryset = CountTask.objects.none()
    serializer_class = CountTaskSerializer
    selector = staticmethod(selectors.count_task_list)
    filterset_class = CountTaskFilter
    search_fields = ["item__code", "bin__code", "lot__code"]
    ordering_fields = ["due_date", "status", "counted_at"]
    ordering = ["due_date", "bin__pick_sequence", "bin__code"]
    required_permissions = None  # model permissions for reads; each action names its own

    def _answer(self, task, code=status.HTTP_200_OK):
        return Response(CountTaskSerializer(task, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=GenerateCountsSerializer, responses=CountTaskSerializer(many=True))
    @action(detail=False, methods=["post"], required_permissions={"POST": ["wms.add_counttask"]})
    def generate(self, request):
        data = GenerateCountsSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        tasks = counting.generate_count_tasks(site=data.validated_data["site"], user=request.user)
        rows = selectors.count_task_list(user=request.user).filter(pk__in=[t.pk for t in tasks])
        return Response(
            {"created": len(tasks), "results": CountTaskSerializer(rows, many=True).data},
            status=status.HTTP_201_CREATED if tasks else status.HTTP_200_OK,
        )

    @extend_schema(request=SubmitCountSerializer, responses=CountTaskSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_counttask"]})
    def count(self, request, pk=None):
        task = self.get_object()
        data = SubmitCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = counting.submit_count(task=task, user=request.user, **data.validated_data)
        return self._answer(task)

    @extend_schema(request=SignCountSerializer, responses=CountTaskSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_counttask"]})
    def approve(self, request, pk=None):
        task = self.get_object()
        data = SignCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = counting.approve_count(task=task, user=request.user, **data.validated_data)
        return self._answer(task)

    @extend_schema(request=SignCountSerializer, responses=CountTaskSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_counttask"]})
    def reject(self, request, pk=None):
        task = self.get_object()
        data = SignCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = counting.reject_count(task=task, user=request.user, **data.validated_data)
        body = CountTaskSerializer(task, context=self.get_serializer_context()).data
        body["recount"] = CountTaskSerializer(task.recount, context=self.get_serializer_context()).data
        return Response(body)


class InventoryAlertViewSet(ScopedReadOnlyViewSet):
    """Inventory alerts, open first. Filter `?open=true`, `?kind=below_reorder`, `?site=P1`."""

    queryset = InventoryAlert.objects.none()
    serializer_class = InventoryAlertSerializer
    selector = staticmethod(selectors.alert_list)
    filterset_class = InventoryAlertFilter
    search_fields = ["message", "item__code", "lot__code", "bin__code"]
    ordering_fields = ["raised_at", "resolved_at", "severity", "kind"]
    ordering = ["resolved_at", "-raised_at"]


# Columns of KPI frames that are quantities or money held as floats: sent as decimal strings.
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
    serializer_class = KpiQuerySerializer
    required_permissions = {"GET": ["wms.view_stockquant"], "POST": ["core.change_item"]}
    pagination_class = None
    filter_backends = []

    def _query(self, serializer_class=KpiQuerySerializer):
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

    @extend_schema(parameters=[InventoryValueQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"], url_path="inventory-value")
    def inventory_value(self, request):
        q = self._query(InventoryValueQuerySerializer)
        site = q.get("site")
        frame = kpis.inventory_value(user=request.user, site=site, group_by=q["group_by"])
        return Response(
            {"site": site.code if site else None, "group_by": q["group_by"], "results": frame_records(frame)}
        )

    @extend_schema(parameters=[KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"])
    def turnover(self, request):
        q = self._query()
        return self._period_answer(q, kpis.turnover(user=request.user, site=q["site"], start=q["start"], end=q["end"]))

    @extend_schema(parameters=[KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["get"], url_path="bin-utilisation")
    def bin_utilisation(self, request):
        q = self._query()
        frame = kpis.bin_utilisation(user=request.user, site=q["site"], group_by=q.get("group_by") or "bin")
        return Response({"site": q["site"].code, "results": frame_records(frame)})

    @extend_schema(parameters=[KpiQuerySerializer], responses=OpenApiTypes.OBJECT)
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

    @extend_schema(request=KpiQuerySerializer, responses=OpenApiTypes.OBJECT)
    @action(detail=False, methods=["post"], url_path="abc/apply")
    def abc_apply(self, request):
        data = KpiQuerySerializer(data=request.data, context={"request": request})
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


def register(router) -> None:
    """Add this module's viewsets to the wms API router."""
    router.register("count-tasks", CountTaskViewSet, basename="count-task")
    router.register("alerts", InventoryAlertViewSet, basename="inventory-alert")
    router.register("kpis", KpiViewSet, basename="kpi")
