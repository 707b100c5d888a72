from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Site
from scheduling.models import Objective, ScheduleAssignment, ScheduleVersion
from scheduling.services.versions import MAX_HORIZON_DAYS, MAX_TIME_LIMIT


class ScheduleVersionSerializer(serializers.ModelSerializer):
    site = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    approved_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    released_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    based_on = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ScheduleVersion
        fields = [
            "id",
            "site",
            "number",
            "status",
            "run_state",
            "objective",
            "time_limit_seconds",
            "horizon_days",
            "origin",
            "based_on",
            "reason",
            "solver_status",
            "objective_value",
            "bound",
            "kpis",
            "warnings",
            "error",
            "progress",
            "started_at",
            "finished_at",
            "created_by",
            "approved_by",
            "approved_at",
            "released_by",
            "released_at",
        ]
        read_only_fields = fields


class StartRunSerializer(serializers.Serializer):
    site = CodeField(queryset=Site.objects.all())
    objective = serializers.ChoiceField(choices=Objective.choices, default=Objective.TARDINESS_THEN_MAKESPAN)
    time_limit_seconds = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT, default=30)
    horizon_days = serializers.IntegerField(min_value=1, max_value=MAX_HORIZON_DAYS, default=14)


class RescheduleSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    time_limit_seconds = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT, required=False)


class SignSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ScheduleAssignmentSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="operation.work_order.number", read_only=True)
    sequence = serializers.IntegerField(source="operation.sequence", read_only=True)
    equipment = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ScheduleAssignment
        fields = ["id", "operation", "work_order", "sequence", "equipment", "start", "end", "rank", "late", "fixed"]
        read_only_fields = fields
