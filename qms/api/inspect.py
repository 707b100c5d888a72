"""Inspection tasks over REST: list and filter, one task with its characteristics and progress,
POST `results/` (one all-or-nothing submission) and POST `decide/` (the signed decision).
The same services as the QC station and the operator terminal."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from qms.models import InspectionStatus, InspectionTask, Stage
from qms.selectors import inspections as selectors
from qms.services import inspections


class InspectionTaskFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    plan = django_filters.CharFilter(field_name="plan__code")
    equipment = django_filters.CharFilter(field_name="equipment__code")
    work_order = django_filters.CharFilter(field_name="work_order__number")
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    status = django_filters.MultipleChoiceFilter(choices=InspectionStatus.choices)

    class Meta:
        model = InspectionTask
        fields = ["number", "site", "item", "lot", "plan", "equipment", "work_order", "stage", "status"]


def _characteristics(task: InspectionTask) -> list[dict]:
    done = inspections.progress(task)
    rows = []
    for c in selectors.task_characteristics(task):
        got = done.get(c.pk)
        rows.append(
            {
                "code": c.code,
                "name": c.name,
                "kind": c.kind,
                "nominal": None if c.nominal is None else str(c.nominal),
                "lsl": None if c.lsl is None else str(c.lsl),
                "usl": None if c.usl is None else str(c.usl),
                "unit": c.unit.code if c.unit_id else None,
                "gauge": c.gauge,
                "tag": c.tag,
                "defect_types": c.defect_types,
                "recorded": got.recorded if got else 0,
                "nonconforming": got.nonconforming if got else 0,
            }
        )
    return rows


class InspectionTaskSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    plan = serializers.CharField(source="plan.code", read_only=True)
    item = serializers.CharField(source="item.code", read_only=True)
    unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    equipment = serializers.CharField(source="equipment.code", read_only=True, default=None)
    work_order = serializers.CharField(source="work_order.number", read_only=True, default=None)
    operation = serializers.PrimaryKeyRelatedField(read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None)

    class Meta:
        model = InspectionTask
        fields = [
            "id",
            "number",
            "site",
            "plan",
            "stage",
            "item",
            "unit",
            "lot",
            "lot_quantity",
            "operation",
            "work_order",
            "equipment",
            "trigger",
            "sample_size",
            "accept_number",
            "reject_number",
            "code_letter",
            "status",
            "accepted_quantity",
            "rejected_quantity",
            "decided_by",
            "decided_at",
            "decision_reason",
            "created_at",
        ]
        read_only_fields = fields


class InspectionTaskDetailSerializer(InspectionTaskSerializer):
    characteristics = serializers.SerializerMethodField()
    suggestion = serializers.SerializerMethodField()

    class Meta(InspectionTaskSerializer.Meta):
        fields = [*InspectionTaskSerializer.Meta.fields, "characteristics", "suggestion"]
        read_only_fields = fields

    def get_characteristics(self, task) -> list[dict]:
        return _characteristics(task)

    def get_suggestion(self, task) -> dict:
        suggestion = inspections.suggest_decision(task)
        return {
            "decision": suggestion.decision,
            "nonconforming": suggestion.nonconforming,
            "complete": suggestion.complete,
        }


class ResultSerializer(serializers.Serializer):
    characteristic = serializers.CharField(max_length=40)
    # Values travel as strings and are parsed by the service (strict decimal notation).
    values = serializers.ListField(child=serializers.CharField(allow_blank=True, trim_whitespace=False), required=False)
    count = serializers.CharField(required=False)
    size = serializers.CharField(required=False, allow_blank=True)
    defect_type = serializers.CharField(required=False, allow_blank=True, max_length=100)


class ResultsSerializer(serializers.Serializer):
    results = ResultSerializer(many=True, allow_empty=False)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=inspections.DECISIONS)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    rejected_quantity = serializers.CharField(required=False, allow_blank=True, default=None, allow_null=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, allow_blank=True)


class InspectionTaskViewSet(ScopedReadOnlyViewSet):
    """Inspection tasks: incoming, in-process and final. `{id}/results/` records results,
    `{id}/decide/` signs the decision (accept, reject, partial), `{id}/cancel/` withdraws it."""

    queryset = InspectionTask.objects.none()
    serializer_class = InspectionTaskSerializer
    selector = staticmethod(selectors.task_list)
    filterset_class = InspectionTaskFilter
    search_fields = ["number", "item__code", "lot__code"]
    ordering_fields = ["created_at", "number", "status"]
    ordering = ["-created_at", "-id"]
    required_permissions = None

    def get_serializer_class(self):
        return InspectionTaskDetailSerializer if self.action != "list" else InspectionTaskSerializer

    def _answer(self, task):
        task = selectors.task_list(user=self.request.user).get(pk=task.pk)
        return Response(InspectionTaskDetailSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(request=ResultsSerializer, responses=InspectionTaskDetailSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["qms.change_inspectiontask"]})
    def results(self, request, pk=None):
        task = self.get_object()
        data = ResultsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results = [dict(entry) for entry in data.validated_data["results"]]
        inspections.record_results(task=task, results=results, user=request.user)
        return self._answer(task)

    @extend_schema(request=DecideSerializer, responses=InspectionTaskDetailSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["qms.change_inspectiontask"]})
    def decide(self, request, pk=None):
        task = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = inspections.decide_inspection(task=task, user=request.user, **data.validated_data)
        return self._answer(task)

    @extend_schema(request=CancelSerializer, responses=InspectionTaskDetailSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["qms.change_inspectiontask"]})
    def cancel(self, request, pk=None):
        task = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = inspections.cancel_inspection(task=task, user=request.user, **data.validated_data)
        return self._answer(task)
