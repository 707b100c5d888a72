"""Approval requests: asked for by the owning app's service path, decided in the inbox or the
API with an electronic signature, escalated when they wait too long, delegated while an
approver is away.

Lock order: the ApprovalRequest row first, then whatever the kind's own service locks (for a
count: the count task, its bin, its stock row). Every path that decides a request takes the
request row first, so two approvers deciding at once queue on it: the first decides, the
second finds it decided and is told by whom.
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.approvals import ApprovalKind, get_kind
from core.errors import DomainError, PermissionDenied, ValidationFailed
from core.events import publish
from core.models import (
    OPEN_APPROVAL_STATUSES,
    ApprovalDelegation,
    ApprovalRequest,
    ApprovalStatus,
    Role,
    SignatureMeaning,
    Urgency,
    User,
)
from core.scoping import require_site_access
from core.services.signatures import check_signature_password, sign

# --- who decides -----------------------------------------------------------------------------


def active_delegations(*, at: datetime | None = None):
    """Delegations in force at `at` (now): started, not ended, not revoked."""
    at = at or timezone.now()
    return ApprovalDelegation.objects.filter(revoked_at__isnull=True, starts_at__lte=at, ends_at__gt=at)


def may_decide_kind(user, kind: ApprovalKind) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_role(*kind.roles))


def approvers(*, kind: ApprovalKind, site, level: int = 0) -> list[User]:
    """Who is told of a request at `level`: active users of that role at the site (administrators
    work at every site). Someone away on a delegation of that role is replaced by the delegate."""
    role = kind.role_at(level)
    users = User.objects.filter(is_active=True, groups__name=role)
    if site is not None and role != Role.ADMIN:
        users = users.filter(sites=site)
    users = list(users.distinct())
    away = {
        d.delegator_id: d.delegate
        for d in active_delegations().filter(role=role, delegator__in=users).select_related("delegate")
    }
    chosen = {u.pk: u for u in users if u.pk not in away}
    for delegate in away.values():
        if delegate.is_active:
            chosen.setdefault(delegate.pk, delegate)
    return sorted(chosen.values(), key=lambda u: u.username)


def decidable_requests(user):
    """The requests `user` may see and decide: kinds whose roles the user holds, at the user's
    sites. One query, so the top bar's badge stays cheap: roles and sites are EXISTS subqueries."""
    from core.approvals import all_kinds

    queryset = ApprovalRequest.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if user.is_superuser:
        return queryset.filter(kind__in=[k.name for k in all_kinds()])
    memberships = User.groups.through.objects.filter(user_id=user.pk)
    by_role: dict[str, list[str]] = defaultdict(list)
    for kind in all_kinds():
        for role in kind.roles:
            by_role[role].append(kind.name)
    if not by_role:
        return queryset.none()
    allowed = Q()
    for role, names in by_role.items():
        allowed |= Q(kind__in=names) & Exists(memberships.filter(group__name=role))
    works_there = Exists(User.sites.through.objects.filter(user_id=user.pk, site_id=OuterRef("site_id")))
    is_admin = Exists(memberships.filter(group__name=Role.ADMIN))
    return queryset.filter(allowed).filter(works_there | is_admin)


# --- asking ----------------------------------------------------------------------------------


def _record_ref(record) -> tuple[ContentType, str]:
    return ContentType.objects.get_for_model(record), str(record.pk)


def open_request_for(*, kind: str, record, lock: bool = False) -> ApprovalRequest | None:
    content_type, object_id = _record_ref(record)
    rows = ApprovalRequest.objects.filter(
        kind=kind, content_type=content_type, object_id=object_id, status__in=OPEN_APPROVAL_STATUSES
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    return rows.first()


def request_approval(*, kind: str, record, requested_by=None) -> ApprovalRequest | None:
    """Ask for a decision on `record`; None when the kind's thresholds say none is needed.

    Called by the owning app's service path (for a count: the subscriber of the event the count
    service publishes when a count awaits approval), inside its transaction. Asking again while
    a request is open returns that request.
    """
    declaration = get_kind(kind)
    if not declaration.needs_approval(record):
        return None
    with transaction.atomic():
        existing = open_request_for(kind=kind, record=record, lock=True)
        if existing is not None:
            return existing
        content_type, object_id = _record_ref(record)
        request = ApprovalRequest(
            kind=kind,
            content_type=content_type,
            object_id=object_id,
            site=declaration.site_of(record),
            requested_by=requested_by,
            urgency=declaration.urgency(record),
            fingerprint=declaration.fingerprint(record),
        )
        request._history_user = requested_by
        request._change_reason = _("approval requested")
        request.save()
        _announce(request, declaration, record, "core.approval.requested")
    return request


def close_requests_for(*, record, status: str, user=None, comment: str = "") -> int:
    """Close the open requests on `record` decided outside the inbox (the record's own page,
    or the record withdrawn): the inbox then shows them as taken. Returns how many closed."""
    content_type, object_id = _record_ref(record)
    rows = list(
        ApprovalRequest.objects.select_for_update(of=("self",)).filter(
            content_type=content_type, object_id=object_id, status__in=OPEN_APPROVAL_STATUSES
        )
    )
    for request in rows:
        request.status = status
        request.decided_by = user
        request.decided_at = timezone.now()
        request.comment = comment
        request._history_user = user
        request._change_reason = _("decided on the record")
        request.save()
        publish("core.approval.decided", _payload(request), site=request.site)
    return len(rows)


# --- deciding --------------------------------------------------------------------------------


def _taken(request: ApprovalRequest) -> DomainError:
    when = formats.date_format(timezone.localtime(request.decided_at), "DATETIME_FORMAT") if request.decided_at else ""
    if request.status == ApprovalStatus.CANCELLED:
        return DomainError(_("This request was withdrawn at %(when)s.") % {"when": when}, code="already_decided")
    who = request.decided_by.get_full_name() or request.decided_by.username if request.decided_by else _("system")
    return DomainError(
        _("Already %(decision)s by %(who)s at %(when)s.")
        % {"decision": request.get_status_display().lower(), "who": who, "when": when},
        code="already_decided",
    )


def _on_behalf_of(user, request: ApprovalRequest, kind: ApprovalKind):
    """The absent approver this decision stands in for, when the decider holds a delegation."""
    delegations = active_delegations().filter(delegate=user, role__in=kind.roles).select_related("delegator")
    if request.site_id is not None:
        delegations = delegations.filter(Q(delegator__sites=request.site_id) | Q(role=Role.ADMIN))
    delegation = delegations.first()
    return delegation.delegator if delegation else None


def decide(
    *, request: ApprovalRequest, user, approve: bool, password: str, meaning: str, comment: str = ""
) -> ApprovalRequest:
    """Take the decision: approve or reject, signed with the password, carried out by the kind's
    own service in the same transaction.

    Refused, with nothing changed: someone else's site or a role that does not decide this kind
    (403/404); a decision already taken ("already decided by X at T", 409 `already_decided`);
    one's own request (403 `four_eyes`); a record changed since it was asked for (409 `stale`);
    the wrong meaning or a rejection without a comment (400); a wrong password (the signature
    error, raised by `sign` inside the kind's service).
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        # No select_related here: after waiting for the lock PostgreSQL re-reads the locked row
        # but not the joined ones, so a joined decider would still read as nobody.
        request = ApprovalRequest.objects.select_for_update().filter(pk=request.pk).first()
        if request is None:
            raise DomainError(_("Approval request not found."), code="not_found")
        kind = get_kind(request.kind)
        require_site_access(user, request.site_id, message=_("Approval request not found."))
        if not may_decide_kind(user, kind):
            raise PermissionDenied(_("Your role does not decide this kind of request."))
        if not request.is_open:
            raise _taken(request)
        if request.requested_by_id == user.pk:
            raise PermissionDenied(_("Someone other than the requester must decide this."), code="four_eyes")
        check_signature_password(user=user, password=password, record=request)
        expected = kind.approve_meaning if approve else kind.reject_meaning
        if meaning != expected:
            raise ValidationFailed(
                _("The signature of this decision means “%(meaning)s”.")
                % {"meaning": SignatureMeaning(expected).label},
                field="meaning",
            )
        if not approve and kind.reject_needs_comment and not comment:
            raise ValidationFailed(_("Say why you reject it."), field="comment")
        record = kind.model._default_manager.select_related(*kind.related).filter(pk=request.object_id).first()
        if record is None or kind.fingerprint(record) != request.fingerprint:
            raise DomainError(_("The record changed since the decision was asked for: look at it again."), code="stale")
        request.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
        request.decided_by = user
        request.decided_at = timezone.now()
        request.comment = comment
        request.on_behalf_of = _on_behalf_of(user, request, kind)
        request._history_user = user
        request._change_reason = (comment or request.get_status_display())[:100]
        request.save()
        carry_out = kind.approve if approve else kind.reject
        try:
            carry_out(record=record, user=user, password=password, comment=comment)
        except ValidationFailed as exc:
            if exc.field == "reason":  # the kind's service calls the comment its reason
                raise ValidationFailed(exc.message, field="comment", code=exc.code) from exc
            raise
        if not kind.signs:
            sign(user=user, password=password, meaning=meaning, record=record, reason=comment)
        publish("core.approval.decided", _payload(request), site=request.site)
    return request


# --- escalation ------------------------------------------------------------------------------


def escalate_overdue(*, now: datetime | None = None) -> list[ApprovalRequest]:
    """Put every request that waited longer than its kind's limit in front of the next role up
    (marked urgent, pushed and e-mailed). A request at the top of its ladder stays where it is.
    Requests another sweep is escalating are skipped, so two sweeps escalate each once."""
    from core.approvals import all_kinds

    now = now or timezone.now()
    escalated = []
    for kind in all_kinds():
        if len(kind.roles) < 2:
            continue
        cutoff = now - kind.escalate_after
        due = Q(escalated_at__isnull=True, requested_at__lt=cutoff) | Q(escalated_at__lt=cutoff)
        with transaction.atomic():
            rows = list(
                ApprovalRequest.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(due, kind=kind.name, status__in=OPEN_APPROVAL_STATUSES, level__lt=len(kind.roles) - 1)
                .select_related("site", "requested_by")
                .order_by("pk")
            )
            records = kind.model._default_manager.select_related(*kind.related).in_bulk(
                [r.object_id for r in rows], field_name="pk"
            )
            for request in rows:
                request.level += 1
                request.status = ApprovalStatus.ESCALATED
                request.escalated_at = now
                request.urgency = Urgency.HIGH
                request._history_user = None
                request._change_reason = _("escalated to %(role)s") % {
                    "role": Role(kind.role_at(request.level)).label.lower()
                }
                request.save()
                record = records.get(_pk(kind, request.object_id))
                _announce(request, kind, record, "core.approval.escalated")
                escalated.append(request)
    return escalated


def _pk(kind: ApprovalKind, object_id: str):
    return kind.model._meta.pk.to_python(object_id)


# --- delegation ------------------------------------------------------------------------------


def delegate_approvals(*, user, delegate: User, role: str, starts_at: datetime, ends_at: datetime):
    """`user` hands the decisions of `role` to `delegate` for the period: the delegate is told
    in their place and decides on their behalf. The delegate must hold the same role and work at
    every site of the delegator, so nothing the delegator would see is out of their reach."""
    from core.scoping import user_site_ids

    if role not in Role.values or not user.has_role(role):
        raise ValidationFailed(_("You can delegate only a role you hold."), field="role")
    if delegate is None or delegate.pk == user.pk:
        raise ValidationFailed(_("Choose someone else to decide in your place."), field="delegate")
    if not delegate.is_active or role not in delegate.roles:
        raise ValidationFailed(
            _("%(name)s is not a %(role)s.")
            % {"name": delegate.get_full_name() or delegate.username, "role": Role(role).label.lower()},
            field="delegate",
        )
    mine, theirs = user_site_ids(user), user_site_ids(delegate)
    if theirs is not None and (mine is None or not mine <= theirs):
        raise ValidationFailed(
            _("%(name)s does not work at all of your sites.") % {"name": delegate.get_full_name() or delegate.username},
            field="delegate",
        )
    if ends_at <= starts_at:
        raise ValidationFailed(_("The end must come after the start."), field="ends_at")
    if ends_at <= timezone.now():
        raise ValidationFailed(_("The period is already over."), field="ends_at")
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one delegation change at a time
        overlapping = ApprovalDelegation.objects.filter(
            delegator=user, role=role, revoked_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        if overlapping.exists():
            raise ValidationFailed(
                _("You already delegate this role for part of that period; revoke it first."), field="starts_at"
            )
        delegation = ApprovalDelegation(
            delegator=user, delegate=delegate, role=role, starts_at=starts_at, ends_at=ends_at
        )
        delegation._history_user = user
        delegation._change_reason = _("delegated")
        delegation.save()
        publish(
            "core.approval.delegated",
            {
                "delegation": delegation.pk,
                "delegator": user.username,
                "delegate": delegate.username,
                "role": role,
                "from": starts_at.isoformat(),
                "until": ends_at.isoformat(),
            },
            live=False,
        )
    return delegation


def revoke_delegation(*, delegation: ApprovalDelegation, user) -> ApprovalDelegation:
    """End a delegation now; only the delegator (or an administrator) may."""
    with transaction.atomic():
        delegation = ApprovalDelegation.objects.select_for_update().get(pk=delegation.pk)
        if delegation.delegator_id != user.pk and not user.has_role(Role.ADMIN):
            raise PermissionDenied(_("Only the one who delegated may revoke it."))
        if delegation.revoked_at is not None or delegation.ends_at <= timezone.now():
            return delegation
        delegation.revoked_at = timezone.now()
        delegation._history_user = user
        delegation._change_reason = _("revoked")
        delegation.save()
        publish("core.approval.delegation_revoked", {"delegation": delegation.pk}, live=False)
    return delegation


# --- notifications ---------------------------------------------------------------------------


def _payload(request: ApprovalRequest) -> dict:
    return {
        "request": request.pk,
        "kind": request.kind,
        "status": request.status,
        "urgency": request.urgency,
        "level": request.level,
        "record": request.object_id,
    }


def inbox_url(request: ApprovalRequest) -> str:
    """The deep link to the request's card in the inbox."""
    return settings.SITE_URL.rstrip("/") + reverse("core:approval-inbox") + f"#approval-{request.pk}"


def _announce(request: ApprovalRequest, kind: ApprovalKind, record, name: str) -> None:
    """Push the request to the approvers' open pages (the site's live `core` topic) and, when it
    is urgent, e-mail them a deep link, each in their language. Both go through the outbox."""
    publish(name, _payload(request), site=request.site)
    if request.urgency != Urgency.HIGH:
        return
    by_language: dict[str, list[str]] = defaultdict(list)
    for person in approvers(kind=kind, site=request.site, level=request.level):
        if person.email and person.pk != request.requested_by_id:
            by_language[person.language or settings.LANGUAGE_CODE].append(person.email)
    for language, addresses in sorted(by_language.items()):
        with translation.override(language):
            title = kind.title(record) if record is not None else str(kind.label)
            figures = "\n".join(f"{f.label}: {f.value}" for f in kind.figures(record)) if record is not None else ""
            who = request.requested_by.get_full_name() or request.requested_by.username if request.requested_by else ""
            subject = (_("Escalated: %(title)s") if name.endswith("escalated") else _("Urgent decision: %(title)s")) % {
                "title": title
            }
            body = "\n\n".join(
                part
                for part in (
                    title,
                    _("Asked by %(who)s.") % {"who": who} if who else "",
                    figures,
                    _("Decide here: %(url)s") % {"url": inbox_url(request)},
                )
                if part
            )
        publish(
            "core.approval.notification",
            {"request": request.pk, "notify": sorted(addresses), "subject": subject, "body": body},
            site=request.site,
            live=False,
        )
