"""`GET /api/v1/mes/equipment/<code>/telemetry/?tag=&from=&to=`: one tag's series for charts and
other systems, raw or one-minute aggregates by the range asked (mes.selectors.telemetry)."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from core.errors import ValidationFailed
from mes.models import Equipment
from mes.selectors import plant, telemetry

DEFAULT_RANGE = timedelta(hours=1)
MAX_RANGE = timedelta(days=400)


def _moment(request, name: str):
    text = request.query_params.get(name)
    if not text:
        return None
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise ValidationFailed(_("Enter a date and time (ISO 8601, with its UTC offset)."), field=name)
    if timezone.is_naive(value):
        raise ValidationFailed(_("Give the UTC offset (for example +00:00)."), field=name)
    return value


class EquipmentTelemetryView(generics.GenericAPIView):
    """A tag's points of one equipment of the user's sites (another site's equipment: 404)."""

    queryset = Equipment.objects.none()  # permissions: who may view equipment
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("tag", str, required=True),
            OpenApiParameter("from", str, description="ISO 8601 with offset; default an hour before `to`"),
            OpenApiParameter("to", str, description="ISO 8601 with offset; default now"),
        ],
        responses=dict,
    )
    def get(self, request, code: str):
        equipment = get_object_or_404(plant.equipment_list(user=request.user), code=code)
        tag = (request.query_params.get("tag") or "").strip()
        if not tag:
            raise ValidationFailed(_("Name the tag."), field="tag", code="required")
        end = _moment(request, "to") or timezone.now()
        start = _moment(request, "from") or end - DEFAULT_RANGE
        if start >= end:
            raise ValidationFailed(_("'from' must be before 'to'."), field="from")
        if end - start > MAX_RANGE:
            raise ValidationFailed(_("Ask for at most 400 days."), field="from")
        series = telemetry.telemetry_series(equipment=equipment, tag=tag, start=start, end=end)
        return Response(
            {
                "equipment": equipment.code,
                "tag": tag,
                "from": start,
                "to": end,
                "resolution": series["resolution"],
                "points": series["points"],
            }
        )
