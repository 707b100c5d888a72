"""The supervision API, for BI tools and wall boards: OEE rolled up per equipment, work centre or
site and per shift or day, the downtime Pareto, the production KPIs per period and the
supervisor dashboard's tiles. Reads only, from the same selectors as the pages."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.models import Site
from mes.models import Equipment
from mes.selectors import dashboard, kpis, oee, plant

MAX_DAYS = 366


class RangeQuery(serializers.Serializer):
    """`from` and `to`: local days at the site (ISO dates), today when left out."""

    site = serializers.CharField(required=False, max_length=20)
    work_centre = serializers.CharField(required=False, max_length=30)
    equipment = serializers.CharField(required=False, max_length=30)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False)
        fields["to"] = serializers.DateField(required=False)
        return fields

    def validate(self, data):
        today = timezone.localdate()
        first, last = data.get("from") or data.get("to") or today, data.get("to") or data.get("from") or today
        if first > last:
            raise serializers.ValidationError({"to": _("The end comes before the start.")})
        if (last - first).days >= MAX_DAYS:
            raise serializers.ValidationError({"to": _("Choose at most %(days)s days.") % {"days": MAX_DAYS}})
        if abs((first - today).days) > 36525:
            raise serializers.ValidationError({"from": _("Choose a date within a hundred years of today.")})
        return data | {"first": first, "last": last}


class OEEQuery(RangeQuery):
    scope = serializers.ChoiceField(choices=oee.SCOPES)
    period = serializers.ChoiceField(choices=oee.PERIODS, default="day")


class KPIQuery(RangeQuery):
    site = serializers.CharField(max_length=20)
    period = serializers.ChoiceField(choices=list(kpis.PERIODS), default="day")


class LossesSerializer(serializers.Serializer):
    breakdowns = serializers.FloatField()
    setup_adjustment = serializers.FloatField()
    small_stops = serializers.FloatField()
    reduced_speed = serializers.FloatField()
    startup_rejects = serializers.FloatField()
    production_rejects = serializers.FloatField()
    idle = serializers.FloatField()


class OEERowSerializer(serializers.Serializer):
    """One row: a scope code on one day (and shift). Times in seconds, losses in seconds."""

    scope = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    day = serializers.DateField()
    shift = serializers.CharField(allow_null=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    members = serializers.IntegerField(help_text=_("Machines combined in this row"))
    planned_seconds = serializers.FloatField()
    run_seconds = serializers.FloatField()
    ideal_seconds = serializers.FloatField()
    good = serializers.FloatField()
    scrap = serializers.FloatField()
    availability = serializers.FloatField(allow_null=True)
    performance = serializers.FloatField(allow_null=True)
    quality = serializers.FloatField(allow_null=True)
    oee = serializers.FloatField(allow_null=True)
    losses = LossesSerializer()


class ParetoRowSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=_("Downtime reason code, or the state when none was given"))
    name = serializers.CharField()
    seconds = serializers.FloatField()
    stops = serializers.IntegerField()
    share = serializers.FloatField()
    cumulative = serializers.FloatField()


class KPIRowSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    wip = serializers.IntegerField()
    completed = serializers.IntegerField()
    cycle_hours = serializers.FloatField(allow_null=True)
    on_time_rate = serializers.FloatField(allow_null=True)
    first_pass_yield = serializers.FloatField(allow_null=True)


class TileSerializer(serializers.Serializer):
    equipment = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    state_since = serializers.DateTimeField()
    work_centre = serializers.CharField()
    area = serializers.CharField()
    work_order = serializers.CharField(allow_null=True)
    operation = serializers.IntegerField(allow_null=True)
    sequence = serializers.IntegerField(allow_null=True)
    operation_status = serializers.CharField(allow_null=True)
    quantity = serializers.CharField(allow_null=True)
    done = serializers.CharField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)
    oee = serializers.FloatField(allow_null=True)
    availability = serializers.FloatField(allow_null=True)
    performance = serializers.FloatField(allow_null=True)
    quality = serializers.FloatField(allow_null=True)
    alerts = serializers.IntegerField(allow_null=True, help_text=_("Open alerts; null without the alerts module"))


def _query(request, serializer_class) -> dict:
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


def _unknown(field, code):
    raise serializers.ValidationError({field: [_("Unknown code '%(code)s'.") % {"code": code}]})


def _machines(request, data) -> list[Equipment]:
    """The active machines the user sees, narrowed by `site`, `work_centre` and `equipment`."""
    rows = plant.equipment_list(user=request.user).filter(active=True).select_related("work_centre")
    for field, lookup, source in (
        ("site", "site__code", Site.objects.for_user(request.user)),
        ("work_centre", "work_centre__code", plant.work_centre_list(user=request.user)),
        ("equipment", "code", plant.equipment_list(user=request.user)),
    ):
        code = data.get(field)
        if code:
            if not source.filter(code=code).exists():
                _unknown(field, code)
            rows = rows.filter(**{lookup: code})
    return list(rows.order_by("code"))


RANGE_PARAMETERS = [
    OpenApiParameter("from", date, description="First local day (ISO date); default today"),
    OpenApiParameter("to", date, description="Last local day (ISO date); default `from`; at most 366 days"),
    OpenApiParameter("site", str, description="Site code"),
    OpenApiParameter("work_centre", str, description="Work centre code"),
    OpenApiParameter("equipment", str, description="Equipment code"),
]


def oee_rows(request) -> Response:
    """`GET /api/v1/mes/oee/?scope=...`: the rolled-up rows (see OEEViewSet)."""
    data = _query(request, OEEQuery)
    rows = oee.oee_table(
        equipment=_machines(request, data),
        scope=data["scope"],
        period=data["period"],
        first=data["first"],
        last=data["last"],
    )
    return Response(OEERowSerializer(rows, many=True).data)


class DowntimeParetoViewSet(viewsets.GenericViewSet):
    """Stopped time inside planned time by downtime reason over local days `from`..`to`, largest
    first with each reason's share and the cumulative share."""

    queryset = Equipment.objects.none()  # permissions: who may view equipment
    pagination_class = None
    filter_backends = []

    @extend_schema(parameters=RANGE_PARAMETERS, responses=ParetoRowSerializer(many=True))
    def list(self, request):
        data = _query(request, RangeQuery)
        machines = _machines(request, data)
        if not machines:
            return Response([])
        tz = machines[0].site.tzinfo
        start = oee.day_window(data["first"], tz)[0]
        end = min(oee.day_window(data["last"], tz)[1], timezone.now())
        rows = oee.downtime_pareto(equipment=machines, start=start, end=end) if start < end else []
        return Response(ParetoRowSerializer(rows, many=True).data)


class KPIViewSet(viewsets.GenericViewSet):
    """Production KPIs of `site` per `period` (day, week or month): WIP at the period's end,
    orders completed, mean order cycle time (hours, release to completion), on-time completion
    rate and first-pass yield."""

    queryset = Equipment.objects.none()
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("site", str, required=True),
            OpenApiParameter("period", str, enum=list(kpis.PERIODS)),
            *RANGE_PARAMETERS[:2],
        ],
        responses=KPIRowSerializer(many=True),
    )
    def list(self, request):
        data = _query(request, KPIQuery)
        site = Site.objects.for_user(request.user).filter(code=data["site"]).first()
        if site is None:
            _unknown("site", data["site"])
        table = kpis.production_kpis(
            user=request.user, site=site, period=data["period"], first=data["first"], last=data["last"]
        )
        records = table.astype(object).where(table.notna(), None).to_dict("records")
        return Response(KPIRowSerializer(records, many=True).data)


class DashboardViewSet(viewsets.GenericViewSet):
    """The supervisor dashboard of `site` as data: a tile per machine (optionally of one `area`
    or `work_centre`), open work orders against their due dates and WIP per work centre."""

    queryset = Equipment.objects.none()
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("site", str, required=True),
            OpenApiParameter("area", str),
            OpenApiParameter("work_centre", str),
        ],
        responses=inline_serializer(
            "SupervisorDashboard",
            {
                "site": serializers.CharField(),
                "tiles": TileSerializer(many=True),
                "orders": serializers.DictField(),
                "wip": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def list(self, request):
        code = request.query_params.get("site")
        if not code:
            raise serializers.ValidationError({"site": [_("This field is required.")]})
        site = Site.objects.for_user(request.user).filter(code=code).first()
        if site is None:
            _unknown("site", code)
        area = work_centre = None
        if code := request.query_params.get("area"):
            area = dashboard.area_list(user=request.user, site=site).filter(code=code).first()
            if area is None:
                _unknown("area", code)
        if code := request.query_params.get("work_centre"):
            work_centre = dashboard.work_centre_choices(user=request.user, site=site).filter(code=code).first()
            if work_centre is None:
                _unknown("work_centre", code)
        tiles = dashboard.equipment_tiles(user=request.user, site=site, area=area, work_centre=work_centre)
        progress = dashboard.order_progress(user=request.user, site=site)
        return Response(
            {
                "site": site.code,
                # tile_payload is already the TileSerializer shape in JSON types: 200 tiles skip
                # a second pass through the serializer's fields.
                "tiles": [dashboard.tile_payload(t) for t in tiles],
                "orders": {
                    "counts": progress["counts"],
                    "urgent": [
                        {
                            "number": o["number"],
                            "item": o["item__code"],
                            "quantity": str(o["quantity"]),
                            "good": str(o["good"]),
                            "due": o["due"],
                            "risk": o["risk"],
                            "progress": o["progress"],
                            "remaining_hours": o["remaining_hours"],
                        }
                        for o in progress["orders"]
                    ],
                },
                "wip": [
                    {
                        "work_centre": w["work_centre__code"],
                        "active": w["active"],
                        "queued": w["queued"],
                        "open_quantity": str(w["open_quantity"]),
                    }
                    for w in dashboard.wip_by_work_centre(user=request.user, site=site, area=area)
                ],
            }
        )


def register(router) -> None:
    router.register("downtime-pareto", DowntimeParetoViewSet, basename="downtime-pareto")
    router.register("kpis", KPIViewSet, basename="kpi")
    router.register("dashboard", DashboardViewSet, basename="dashboard")
