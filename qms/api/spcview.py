"""The SPC chart, status board and control limits over the API: the same selectors and services
as the pages. `GET spc/<characteristic>/?site=` (chart data, violations, capability),
`GET spc/status/` (the board), `POST spc/<characteristic>/limits/` (phase II limits, e-signed)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import PageNumberPagination
from core.models import Site
from core.scoping import user_site_ids
from qms.models import Characteristic, Stage
from qms.selectors import spc as selectors
from qms.services import spc_charts


class ChartQuerySerializer(serializers.Serializer):
    site = serializers.CharField(max_length=20)
    last = serializers.IntegerField(required=False, min_value=2, max_value=5000)
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)


class StatusQuerySerializer(serializers.Serializer):
    item = serializers.CharField(required=False, max_length=40)
    work_centre = serializers.CharField(required=False, max_length=40)
    stage = serializers.ChoiceField(required=False, choices=Stage.choices)


class ControlLimitsSerializer(serializers.Serializer):
    site = serializers.CharField(max_length=20)
    first_subgroup = serializers.CharField(max_length=60)
    last_subgroup = serializers.CharField(max_length=60)
    password = serializers.CharField(write_only=True, max_length=200)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


def _site(user, code: str) -> Site:
    """The user's site of that code; another site's answers 404, like its records."""
    sites = Site.objects.all()
    allowed = user_site_ids(user)
    if allowed is not None:
        sites = sites.filter(pk__in=allowed)
    return get_object_or_404(sites, code=code)


def _characteristic(pk: int) -> Characteristic:
    return get_object_or_404(Characteristic.objects.select_related("item", "unit"), pk=pk)


def _limits_dict(limits) -> dict:
    return {
        "id": limits.pk,
        "characteristic": limits.characteristic_id,
        "site": limits.site.code,
        "chart": limits.chart,
        "center": limits.center,
        "sigma": limits.sigma,
        "ucl": limits.ucl,
        "lcl": limits.lcl,
        "secondary": None
        if limits.secondary_center is None
        else {"center": limits.secondary_center, "ucl": limits.secondary_ucl, "lcl": limits.secondary_lcl},
        "subgroup_size": limits.subgroup_size,
        "baseline_first": limits.baseline_first,
        "baseline_last": limits.baseline_last,
        "baseline_subgroups": limits.baseline_subgroups,
        "reason": limits.reason,
        "set_by": limits.set_by.username,
        "set_at": limits.set_at,
    }


class SpcChartView(APIView):
    """The chart of a characteristic at a site: points, limits (phase II when set), the R/S/MR
    chart, violations with their subgroup keys, and capability with the Anderson-Darling test."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("last", OpenApiTypes.INT),
            OpenApiParameter("start", OpenApiTypes.DATETIME),
            OpenApiParameter("end", OpenApiTypes.DATETIME),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, pk: int):
        query = ChartQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        options = dict(query.validated_data)
        site = _site(request.user, options.pop("site"))
        chart = spc_charts.chart_measurements(characteristic=_characteristic(pk), site=site, **options)
        return Response(chart.to_dict())


class SpcLimitsView(APIView):
    """Fix phase II limits from a phase I baseline (quality, e-signed with the password)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ControlLimitsSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request, pk: int):
        body = ControlLimitsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        limits = spc_charts.set_control_limits(
            characteristic=_characteristic(pk),
            site=_site(request.user, data["site"]),
            user=request.user,
            password=data["password"],
            first_subgroup=data["first_subgroup"],
            last_subgroup=data["last_subgroup"],
            reason=data["reason"],
        )
        return Response(_limits_dict(limits), status=status.HTTP_201_CREATED)


class SpcStatusView(GenericAPIView):
    """The SPC status board: each characteristic with data at the user's sites, green / amber /
    red with the reasons, filterable by `item`, `work_centre` and `stage` codes."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = PageNumberPagination

    @extend_schema(parameters=[StatusQuerySerializer], responses=OpenApiTypes.OBJECT)
    def get(self, request):
        query = StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.board_rows(user=request.user, **query.validated_data)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response([_status_dict(row) for row in page])


def _status_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "characteristic": row["characteristic"],
        "code": row["characteristic__code"],
        "item": row["characteristic__item__code"],
        "stage": row["characteristic__stage"],
        "site": row["site__code"],
        "work_centre": row["work_centre__code"],
        "colour": row["colour"],
        "reasons": row["reasons"],
        "rules": row["recent_rules"],
        "cpk": row["cpk"],
        "subgroups": row["subgroups"],
        "alert_open": row["alert_open"],
        "updated_at": row["updated_at"],
    }
