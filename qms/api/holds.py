"""Quality holds: list and filter, place (POST), release with an electronic signature
(POST .../release/). Targets are named by their codes: a lot by item and lot code (and site when
the user works at several), equipment by code, a work order by number."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from core.errors import ValidationFailed
from qms.models import HoldReason, HoldStatus, HoldTarget, QualityHold
from qms.selectors import holds as selectors
from qms.services import holds as services


class QualityHoldSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    target = serializers.CharField(source="target_kind", read_only=True)
    item = serializers.SerializerMethodField()
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    equipment = serializers.CharField(source="equipment.code", read_only=True, default=None)
    work_order = serializers.CharField(source="work_order.number", read_only=True, default=None)
    characteristic = serializers.CharField(source="characteristic.code", read_only=True, default=None)
    placed_by = serializers.CharField(source="placed_by.username", read_only=True, default=None)
    released_by = serializers.CharField(source="released_by.username", read_only=True, default=None)

    class Meta:
        model = QualityHold
        fields = [
            "id",
            "number",
            "site",
            "target",
            "item",
            "lot",
            "equipment",
            "work_order",
            "reason_code",
            "reason",
            "characteristic",
            "status",
            "previous_status",
            "placed_by",
            "placed_at",
            "released_by",
            "released_at",
            "release_note",
        ]
        read_only_fields = fields

    def get_item(self, hold) -> str | None:
        if hold.lot_id:
            return hold.lot.item.code
        return hold.work_order.item.code if hold.work_order_id else None


class PlaceHoldSerializer(serializers.Serializer):
    """One of `lot` (with `item`, and `site` when the user works at several), `equipment` or
    `work_order`."""

    site = serializers.CharField(max_length=30, required=False)
    item = serializers.CharField(max_length=60, required=False)
    lot = serializers.CharField(max_length=60, required=False)
    equipment = serializers.CharField(max_length=30, required=False)
    work_order = serializers.CharField(max_length=40, required=False)
    reason_code = serializers.ChoiceField(choices=HoldReason.choices)
    reason = serializers.CharField(max_length=300)

    def validate(self, data):
        try:
            data["target"] = selectors.find_target(
                user=self.context["request"].user,
                site=data.get("site"),
                item=data.get("item", ""),
                lot=data.get("lot", ""),
                equipment=data.get("equipment", ""),
                work_order=data.get("work_order", ""),
            )
        except ValidationFailed as refusal:
            raise serializers.ValidationError({refusal.field: [str(refusal.message)]}) from refusal
        return data


class ReleaseHoldSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)
    note = serializers.CharField(max_length=300)


class QualityHoldFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code", label=_("Site"))
    target = django_filters.ChoiceFilter(choices=HoldTarget.choices, method="filter_target", label=_("Held"))
    item = django_filters.CharFilter(method="filter_item", label=_("Item"))
    lot = django_filters.CharFilter(field_name="lot__code", label=_("Lot"))
    equipment = django_filters.CharFilter(field_name="equipment__code", label=_("Equipment"))
    work_order = django_filters.CharFilter(field_name="work_order__number", label=_("Work order"))
    status = django_filters.ChoiceFilter(choices=HoldStatus.choices, label=_("Status"))
    reason_code = django_filters.ChoiceFilter(choices=HoldReason.choices, label=_("Reason code"))
    placed_after = django_filters.IsoDateTimeFilter(field_name="placed_at", lookup_expr="gte", label=_("Placed from"))
    placed_before = django_filters.IsoDateTimeFilter(field_name="placed_at", lookup_expr="lt", label=_("Placed before"))

    class Meta:
        model = QualityHold
        fields = ["site", "target", "item", "lot", "equipment", "work_order", "status", "reason_code"]

    def filter_target(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False})

    def filter_item(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(lot__item__code=value) | Q(work_order__item__code=value))


class QualityHoldViewSet(ScopedReadOnlyViewSet):
    """Holds are placed by POST and released by POST .../release/ (signed); never edited."""

    queryset = QualityHold.objects.none()
    serializer_class = QualityHoldSerializer
    selector = staticmethod(selectors.hold_list)
    filterset_class = QualityHoldFilter
    search_fields = ["number", "reason", "lot__code", "equipment__code", "work_order__number"]
    ordering_fields = ["placed_at", "number", "status"]
    ordering = ["-placed_at", "-id"]

    @property
    def required_permissions(self):
        if getattr(self, "action", None) == "create":
            return {"POST": ["qms.add_qualityhold"]}
        if getattr(self, "action", None) == "release":
            return {"POST": ["qms.change_qualityhold"]}
        return None

    @extend_schema(request=PlaceHoldSerializer, responses={201: QualityHoldSerializer})
    def create(self, request):
        body = PlaceHoldSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        hold = services.place_hold(
            user=request.user, reason_code=data["reason_code"], reason=data["reason"], **data["target"]
        )
        hold = selectors.hold_list(user=request.user).get(pk=hold.pk)
        return Response(self.get_serializer(hold).data, status=201)

    @extend_schema(request=ReleaseHoldSerializer, responses=QualityHoldSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release the hold, signed with the user's password; 403 for a wrong password (nothing
        changes), 409 when it is already released."""
        body = ReleaseHoldSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hold = services.release_hold(
            hold=self.get_object(),
            user=request.user,
            password=body.validated_data["password"],
            note=body.validated_data["note"],
        )
        hold = selectors.hold_list(user=request.user).get(pk=hold.pk)
        return Response(self.get_serializer(hold).data)
