"""Reads of the approvals inbox, shared by the page, the top bar's badge and the API."""

from collections import defaultdict
from datetime import timedelta

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from core.approvals import get_kind
from core.models import OPEN_APPROVAL_STATUSES, ApprovalDelegation, Urgency
from core.services.approvals import active_delegations, decidable_requests

# Urgent first, then the furthest escalated, then the newest.
URGENCY_ORDER = Case(When(urgency=Urgency.HIGH, then=Value(0)), default=Value(1), output_field=IntegerField())


def approval_list(*, user, status: str | None = None):
    """Requests the user may decide (any status), urgent and escalated first, newest first."""
    rows = decidable_requests(user).select_related("site", "requested_by", "decided_by", "on_behalf_of")
    if status == "pending":
        rows = rows.filter(status__in=OPEN_APPROVAL_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    return rows.annotate(urgency_rank=URGENCY_ORDER).order_by("urgency_rank", "-level", "-requested_at", "-pk")


def pending_count(*, user) -> int:
    """The top bar's badge: open decisions the user may take (not their own requests). One query."""
    return decidable_requests(user).filter(status__in=OPEN_APPROVAL_STATUSES).exclude(requested_by=user).count()


def inbox(*, user, recent_hours: int = 24, recent_limit: int = 20) -> dict:
    """The inbox page: the open decisions, and those decided lately (shown as taken)."""
    pending = [r for r in approval_list(user=user, status="pending") if r.requested_by_id != user.pk]
    since = timezone.now() - timedelta(hours=recent_hours)
    decided = list(
        approval_list(user=user)
        .exclude(status__in=OPEN_APPROVAL_STATUSES)
        .filter(decided_at__gte=since)
        .order_by("-decided_at")[:recent_limit]
    )
    attach_records(pending + decided)
    return {"pending": pending, "decided": decided}


def attach_records(requests) -> None:
    """Load each request's record, title and figures: one query per kind, not one per card.
    A record that has gone is shown without figures."""
    by_kind = defaultdict(list)
    for request in requests:
        by_kind[request.kind].append(request)
    for name, group in by_kind.items():
        kind = get_kind(name)
        pk = kind.model._meta.pk
        records = kind.model._default_manager.select_related(*kind.related).in_bulk(
            [pk.to_python(r.object_id) for r in group]
        )
        for request in group:
            record = records.get(pk.to_python(request.object_id))
            request.kind_decl = kind
            request.target = record
            request.title = kind.title(record) if record is not None else str(kind.label)
            request.figures = kind.figures(record) if record is not None else []
            request.record_url = kind.url(record) if record is not None and kind.url else ""
            request.is_stale = record is None or (request.is_open and kind.fingerprint(record) != request.fingerprint)


def delegations_of(*, user) -> dict:
    """The delegations the user gave and those they hold, current or to come."""
    now = timezone.now()
    current = ApprovalDelegation.objects.filter(revoked_at__isnull=True, ends_at__gt=now).select_related(
        "delegator", "delegate"
    )
    return {
        "given": list(current.filter(delegator=user).order_by("starts_at")),
        "taken": list(current.filter(delegate=user).order_by("starts_at")),
        "active_for_me": list(active_delegations().filter(delegate=user).select_related("delegator")),
    }
