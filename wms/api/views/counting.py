"""Cycle counts: generate, count (blind), approve or reject a large variance
(`wms.services.counting`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from wms.api import filters
from wms.api.serializers import counting as serializers
from wms.models import CountTask
from wms.selectors import control as selectors
from wms.services import counting


class CountTaskViewSet(ScopedReadOnlyViewSet):
    """Cycle-count tasks. POST `generate/` creates today's tasks for a site; `{id}/count/`
    records a blind count; `{id}/approve/` and `{id}/reject/` sign a large variance."""

    queryset = CountTask.objects.none()
    serializer_class = serializers.CountTaskSerializer
    selector = staticmethod(selectors.count_task_list)
    filterset_class = filters.CountTaskFilter
    search_fields = ["item__code", "bin__code", "lot__code"]
    ordering_fields = ["due_date", "status", "counted_at"]
    ordering = ["due_date", "bin__pick_sequence", "bin__code"]
    required_permissions = None  # model permissions for reads; each action names its own

    def _answer(self, task, code=status.HTTP_200_OK):
        return Response(serializers.CountTaskSerializer(task, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=serializers.GenerateCountsSerializer, responses=serializers.CountTaskSerializer(many=True))
    @action(detail=False, methods=["post"], required_permissions={"POST": ["wms.add_counttask"]})
    def generate(self, request):
        data = serializers.GenerateCountsSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        tasks = counting.generate_count_tasks(site=data.validated_data["site"], user=request.user)
        rows = selectors.count_task_list(user=request.user).filter(pk__in=[t.pk for t in tasks])
        return Response(
            {"created": len(tasks), "results": serializers.CountTaskSerializer(rows, many=True).data},
            status=status.HTTP_201_CREATED if tasks else status.HTTP_200_OK,
        )

    @extend_schema(request=serializers.SubmitCountSerializer, responses=serializers.CountTaskSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_counttask"]})
    def count(self, request, pk=None):
        task = self.get_object()
        data = serializers.SubmitCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = counting.submit_count(task=task, user=request.user, **data.validated_data)
        return self._answer(task)

    @extend_schema(request=serializers.SignCountSerializer, responses=serializers.CountTaskSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_counttask"]})
    def approve(self, request, pk=None):
        task = self.get_object()
        data = serializers.SignCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = counting.approve_count(task=task, user=request.user, **data.validated_data)
        return self._answer(task)

    @extend_schema(request=serializers.SignCountSerializer, responses=serializers.CountTaskSerializer)
    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_counttask"]})
    def reject(self, request, pk=None):
        task = self.get_object()
        data = serializers.SignCountSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        task = counting.reject_count(task=task, user=request.user, **data.validated_data)
        body = serializers.CountTaskSerializer(task, context=self.get_serializer_context()).data
        body["recount"] = serializers.CountTaskSerializer(task.recount, context=self.get_serializer_context()).data
        return Response(body)
