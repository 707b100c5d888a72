"""The approvals inbox: the decisions a user may take, on the phone first.

Cards are refreshed when a live event of the user's sites arrives (static/js/approvals.js), and a
decision is posted from the card and answered with the card as it now stands: decided, taken by
someone else, or open with the refusal (wrong password, stale record) shown on it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.approvals import all_kinds
from core.errors import DomainError
from core.forms import ApprovalDecisionForm, DelegationForm, apply_errors
from core.models import ApprovalDelegation
from core.selectors import approvals as selectors
from core.services import approvals as services


def approver_roles(user) -> list[str]:
    """The roles of `user` that decide some kind of approval, lowest first."""
    roles = []
    for kind in all_kinds():
        for role in kind.roles:
            if role not in roles and (user.is_superuser or role in user.roles):
                roles.append(role)
    return roles


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _inbox_context(request, **extra) -> dict:
    return {
        **selectors.inbox(user=request.user),
        "pending_total": selectors.pending_count(user=request.user),
        **extra,
    }


@login_required
def inbox(request):
    roles = approver_roles(request.user)
    if not roles:
        raise Http404(_("You decide no approvals."))
    delegation_form = DelegationForm(request.POST or None, user=request.user, roles=roles)
    if request.method == "POST" and delegation_form.is_valid():
        data = delegation_form.cleaned_data
        try:
            services.delegate_approvals(
                user=request.user,
                delegate=data["delegate"],
                role=data["role"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
            )
        except DomainError as exc:
            apply_errors(delegation_form, exc)
        else:
            messages.success(request, _("Your decisions are delegated."))
            return redirect("core:approval-inbox")
    context = _inbox_context(
        request,
        delegation_form=delegation_form,
        delegations=selectors.delegations_of(user=request.user),
    )
    return render(request, "core/approvals/inbox.html", context)


@login_required
def cards(request):
    """The cards alone, for the live refresh."""
    if not approver_roles(request.user):
        raise Http404
    return render(request, "core/approvals/_cards.html", _inbox_context(request))


@login_required
def badge(request):
    return render(
        request, "core/approvals/_badge.html", {"approvals_pending": selectors.pending_count(user=request.user)}
    )


@login_required
@require_POST
def decide(request, pk):
    approval = get_object_or_404(services.decidable_requests(request.user), pk=pk)
    form = ApprovalDecisionForm(request.POST)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            approval = services.decide(
                request=approval,
                user=request.user,
                approve=data["decision"] == "approve",
                password=data["password"],
                meaning=data["meaning"],
                comment=data["comment"],
            )
        except DomainError as exc:
            error = exc
            apply_errors(form, exc)
    approval = get_object_or_404(selectors.approval_list(user=request.user), pk=pk)
    selectors.attach_records([approval])
    if not _is_htmx(request):
        if form.is_valid() and error is None:
            messages.success(request, _("Decision signed."))
        else:
            for message in (e for errors in form.errors.values() for e in errors):
                messages.error(request, message)
        return redirect("core:approval-inbox")
    failed = error is not None or not form.is_valid()
    return render(
        request,
        "core/approvals/_card.html",
        {
            "approval": approval,
            "form": form if failed and approval.is_open else None,
            "error": str(error.message) if error is not None and not approval.is_open else "",
        },
    )


@login_required
@require_POST
def revoke_delegation(request, pk):
    delegation = get_object_or_404(ApprovalDelegation, pk=pk, delegator=request.user)
    services.revoke_delegation(delegation=delegation, user=request.user)
    messages.success(request, _("The delegation is revoked."))
    return redirect("core:approval-inbox")
