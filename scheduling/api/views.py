"""The scheduling API: start a run, read versions and their assignments, propose, approve and
reject (signed), release, stop and reschedule. Writes go through scheduling.services."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from scheduling.api import serializers
from scheduling.models import ScheduleVersion
from scheduling.selectors import versions as selectors
from scheduling.services import versions as services

CHANGE = ["scheduling.change_scheduleversion"]


class ScheduleVersionViewSet(ScopedReadOnlyViewSet):
    """Schedule versions, newest first (`?site=&status=`). `POST` starts a run (202: the worker
    solves it; follow `run_state` or the live `scheduling` topic)."""

    queryset = ScheduleVersion.objects.none()
    serializer_class = serializers.ScheduleVersionSerializer
    selector = staticmethod(selectors.version_list)
    filterset_fields = {"status": ["exact"], "run_state": ["exact"]}
    ordering = ["-created_at"]

    @property
    def required_permissions(self):
        action_name = getattr(self, "action", None)
        if action_name == "create":
            return {"POST": ["scheduling.add_scheduleversion"]}
        if action_name in ("approve", "reject"):
            return {"POST": ["scheduling.approve_scheduleversion"]}
        if action_name in ("propose", "withdraw", "release", "stop", "reschedule"):
            return {"POST": CHANGE}
        return None

    def get_queryset(self):
        rows = super().get_queryset()
        site = self.request.query_params.get("site")
        return rows.filter(site__code=site) if site else rows

    def _answer(self, version, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=version.pk)).data, status=code)

    @extend_schema(request=serializers.StartRunSerializer, responses={202: serializers.ScheduleVersionSerializer})
    def create(self, request, *args, **kwargs):
        body = serializers.StartRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.start_run(user=request.user, **body.validated_data)
        return self._answer(version, status.HTTP_202_ACCEPTED)

    @extend_schema(responses=serializers.ScheduleAssignmentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def assignments(self, request, pk=None):
        """Which equipment runs each operation, and when (paginated, by equipment then start)."""
        version = self.get_object()
        rows = selectors.assignment_list(user=request.user, version=version)
        page = self.paginate_queryset(rows)
        data = serializers.ScheduleAssignmentSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        return self._answer(services.propose_version(version=self.get_object(), user=request.user))

    @extend_schema(request=serializers.SignSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve with your password (e-signature); not the person who proposed it."""
        body = serializers.SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.approve_version(version=self.get_object(), user=request.user, **body.validated_data)
        )

    @extend_schema(request=serializers.SignSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = serializers.SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(
            services.reject_version(version=self.get_object(), user=request.user, **body.validated_data)
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Make this approved schedule the one the dispatch lists follow."""
        return self._answer(services.release_version(version=self.get_object(), user=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        """Stop the search; the version keeps the best schedule found so far."""
        return self._answer(services.stop_run(version=self.get_object(), user=request.user))

    @extend_schema(request=serializers.RescheduleSerializer, responses={202: serializers.ScheduleVersionSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request, pk=None):
        """A new run from now starting from this version's plan (running operations stay put)."""
        body = serializers.RescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.reschedule(version=self.get_object(), user=request.user, **body.validated_data)
        return self._answer(version, status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["get"], url_path=r"compare/(?P<other>\d+)")
    def compare(self, request, pk=None, other=None):
        """Figures of this version beside another one's, and what moved."""
        version = self.get_object()
        other_version = get_object_or_404(self.get_queryset(), pk=other)
        return Response(selectors.compare(version, other_version))
