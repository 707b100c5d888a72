"""`/api/v1/core/approvals/`: the decisions the caller may take, and taking them.

External systems (a mobile app, a chat bot) act through the same `decide` service as the inbox
page, with the same signature, four-eyes, stale and already-taken rules.
"""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.approval_serializers import ApprovalRequestSerializer, DecisionSerializer
from core.api.viewsets import ScopedReadOnlyViewSet
from core.approvals import get_kind
from core.models import OPEN_APPROVAL_STATUSES, ApprovalRequest, ApprovalStatus
from core.selectors import approvals as selectors
from core.services import approvals as services


class ApprovalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ApprovalStatus.choices,
        method="filter_status",
        help_text="pending (waiting, escalated ones included), escalated, approved, rejected, cancelled",
    )
    kind = django_filters.CharFilter()
    site = django_filters.CharFilter(field_name="site__code")

    class Meta:
        model = ApprovalRequest
        fields = ["status", "kind", "site"]

    def filter_status(self, queryset, name, value):
        if value == ApprovalStatus.PENDING:
            return queryset.filter(status__in=OPEN_APPROVAL_STATUSES)
        return queryset.filter(status=value)


class ApprovalRequestViewSet(ScopedReadOnlyViewSet):
    """Approval requests of kinds the caller decides, at the caller's sites; urgent, escalated
    and newest first. `POST .../<id>/approve/` or `.../reject/` with `{"password", "meaning",
    "comment"}` decides: 200 with the request; 409 `already_decided` (with who and when) or
    `stale`; 403 `four_eyes` on one's own request or `signature_invalid` on a wrong password,
    and nothing changes."""

    queryset = ApprovalRequest.objects.none()
    serializer_class = ApprovalRequestSerializer
    selector = staticmethod(selectors.approval_list)
    filterset_class = ApprovalFilter
    required_permissions = {"*": []}  # the kinds' roles decide who sees what (decidable_requests)
    ordering_fields = ["requested_at", "decided_at"]
    search_fields = []

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        selectors.attach_records(rows)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self._represent(self.get_object()))

    def _represent(self, approval) -> dict:
        approval = selectors.approval_list(user=self.request.user).get(pk=approval.pk)
        selectors.attach_records([approval])
        return self.get_serializer(approval).data

    def _decide(self, request, approve: bool):
        approval = self.get_object()
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        kind = get_kind(approval.kind)
        meaning = body.validated_data.get("meaning") or (kind.approve_meaning if approve else kind.reject_meaning)
        services.decide(
            request=approval,
            user=request.user,
            approve=approve,
            password=body.validated_data["password"],
            meaning=meaning,
            comment=body.validated_data["comment"],
        )
        return Response(self._represent(approval))

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve, signed with the caller's password."""
        return self._decide(request, approve=True)

    @extend_schema(request=DecisionSerializer, responses=ApprovalRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, signed with the caller's password; the comment says why (required)."""
        return self._decide(request, approve=False)
