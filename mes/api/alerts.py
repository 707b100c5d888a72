"""The alerts API: alert rules (`/alert-rules/`) and alerts (`/alerts/`) with their
acknowledge and resolve actions. Reads through `mes.selectors.alerts`, writes through
`mes.services.alerts`; a wrong action is 409 `invalid_transition`, another site's alert 404."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fields import CodeField
from core.api.viewsets import ScopedReadOnlyViewSet
from core.models import Site
from mes.models import (
    Alert,
    AlertCondition,
    AlertRule,
    AlertSeverity,
    AlertStatus,
    Equipment,
    EquipmentClass,
    EquipmentState,
)
from mes.selectors import alerts as alert_selectors
from mes.services import alerts as alert_services

# --- serializers ---------------------------------------------------------------------------------


class AlertRuleSerializer(serializers.ModelSerializer):
    site = CodeField(queryset=Site.objects.all(), required=False, allow_null=True)
    equipment = CodeField(queryset=Equipment.objects.all(), required=False, allow_null=True)
    equipment_class = CodeField(queryset=EquipmentClass.objects.all(), required=False, allow_null=True)
    condition = serializers.ChoiceField(choices=AlertCondition.choices)
    severity = serializers.ChoiceField(choices=AlertSeverity.choices)
    state = serializers.ChoiceField(choices=EquipmentState.choices, required=False, allow_blank=True)
    recommended_actions = serializers.ListField(
        child=serializers.CharField(max_length=200), allow_empty=False, max_length=50
    )
    ranked_actions = serializers.SerializerMethodField()

    class Meta:
        model = AlertRule
        fields = [
            "id",
            *alert_services.RULE_FIELDS,
            "ranked_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "ranked_actions", "created_at", "updated_at"]
        extra_kwargs = {"name": {"required": False}, "tag": {"required": False}}

    def get_ranked_actions(self, rule) -> list[str]:
        return rule.ranked_actions()


class AlertSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    equipment = serializers.CharField(source="equipment.code", read_only=True)
    rule = serializers.IntegerField(source="rule_id", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    recommended_actions = serializers.SerializerMethodField()
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, default=None)
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "site",
            "equipment",
            "rule",
            "rule_name",
            "severity",
            "status",
            "raised_at",
            "value",
            "message",
            "recommended_actions",
            "last_value",
            "last_seen_at",
            "repeat_count",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "cause",
            "action_taken",
            "escalated_at",
        ]
        read_only_fields = fields

    def get_recommended_actions(self, alert) -> list[str]:
        return alert.rule.ranked_actions()


class ResolveSerializer(serializers.Serializer):
    cause = serializers.CharField(max_length=300)
    action_taken = serializers.CharField(max_length=300)


# --- filters -------------------------------------------------------------------------------------


class AlertRuleFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    equipment = django_filters.CharFilter(field_name="equipment__code")
    equipment_class = django_filters.CharFilter(field_name="equipment_class__code")

    class Meta:
        model = AlertRule
        fields = ["site", "equipment", "equipment_class", "condition", "severity", "active", "tag"]


class AlertFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    equipment = django_filters.CharFilter(field_name="equipment__code")
    status = django_filters.MultipleChoiceFilter(choices=AlertStatus.choices)
    severity = django_filters.MultipleChoiceFilter(choices=AlertSeverity.choices)

    class Meta:
        model = Alert
        fields = ["site", "equipment", "status", "severity", "rule"]


# --- views ---------------------------------------------------------------------------------------


class AlertRuleViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Alert rules per equipment or equipment class; admins, supervisors and maintenance create
    and change them. `ranked_actions` orders the recommended actions by how often each resolved
    the rule's alerts."""

    queryset = AlertRule.objects.none()
    serializer_class = AlertRuleSerializer
    selector = staticmethod(alert_selectors.alert_rule_list)
    filterset_class = AlertRuleFilter
    search_fields = ["name", "tag"]
    ordering_fields = ["name", "severity", "created_at"]
    ordering = ["name", "id"]

    def perform_create(self, serializer):
        serializer.instance = alert_services.create_alert_rule(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = alert_services.update_alert_rule(
            rule=serializer.instance, user=self.request.user, data=serializer.validated_data
        )

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.status_code = status.HTTP_201_CREATED
        return response


class AlertViewSet(ScopedReadOnlyViewSet):
    """Alerts, open first and most severe first (`?equipment=&status=&severity=&site=`).
    `POST <id>/acknowledge/` (operators may), `POST <id>/resolve/ {"cause", "action_taken"}`."""

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    selector = staticmethod(alert_selectors.alert_list)
    filterset_class = AlertFilter
    search_fields = ["message", "equipment__code"]
    ordering_fields = ["raised_at", "severity", "status"]

    @property
    def required_permissions(self):
        return {
            "acknowledge": {"POST": [alert_services.ACKNOWLEDGE]},
            "resolve": {"POST": [alert_services.RESOLVE]},
        }.get(getattr(self, "action", None))

    @extend_schema(request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """I have seen it and am on it."""
        alert = alert_services.acknowledge_alert(alert=self.get_object(), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(request=ResolveSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Close it with the cause and the action taken (ideally one of the recommended)."""
        alert = self.get_object()
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        alert = alert_services.resolve_alert(alert=alert, user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)


def register(router) -> None:
    router.register("alert-rules", AlertRuleViewSet, basename="alert-rule")
    router.register("alerts", AlertViewSet, basename="alert")
