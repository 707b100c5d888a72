"""The planner's pages: runs and versions, a version's Gantt chart with its figures and next
steps, two versions side by side. The same services as the API do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.services.signatures import signatures_for
from scheduling.forms import RescheduleForm, SignForm, StartRunForm
from scheduling.models import VersionStatus
from scheduling.selectors import versions as selectors
from scheduling.selectors.gantt import gantt_figure
from scheduling.services import versions as services

VIEW = "scheduling.view_scheduleversion"


def _version(request, pk):
    return get_object_or_404(selectors.version_list(user=request.user), pk=pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def version_list(request):
    rows = selectors.version_list(user=request.user).order_by("-created_at")
    status = request.GET.get("status")
    if status in VersionStatus.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    form = StartRunForm(user=request.user, site=getattr(request, "site", None))
    if request.method == "POST":
        form = StartRunForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                version = services.start_run(user=request.user, **form.cleaned_data)
            except DomainError as error:
                form.show_domain_error(error)
            else:
                messages.success(request, _("Run %(number)s queued.") % {"number": version.number})
                return redirect("scheduling:version-detail", pk=version.pk)
    sites = {v.site.code for v in page}
    return render(
        request,
        "scheduling/version_list.html",
        {
            "page": page,
            "form": form,
            "may_run": request.user.has_perm("scheduling.add_scheduleversion"),
            "statuses": VersionStatus.choices,
            "status": status,
            "live_sites": sorted(sites),
        },
    )


def _next_steps(user, version) -> list[str]:
    steps = []
    for name in ("propose", "withdraw", "release"):
        if services.SCHEDULE_STATES.allowed(version, name, user):
            steps.append(name)
    if "propose" in steps and version.run_state not in ("done", "stopped"):
        steps.remove("propose")
    return steps


@login_required
@permission_required(VIEW, raise_exception=True)
def version_detail(request, pk):
    version = _version(request, pk)
    by = "order" if request.GET.get("by") == "order" else "equipment"
    assignments = selectors.assignment_list(user=request.user, version=version).select_related(
        "equipment__work_centre__calendar", "equipment__site"
    )
    decide = (
        services.SCHEDULE_STATES.allowed(version, "approve", request.user) and version.proposed_by_id != request.user.pk
    )
    others = selectors.version_list(user=request.user).filter(site=version.site).exclude(pk=version.pk)[:20]
    return render(
        request,
        "scheduling/version_detail.html",
        {
            "version": version,
            "by": by,
            "figure": gantt_figure(version, assignments, by=by) if version.kpis else None,
            "steps": _next_steps(request.user, version),
            "decide": decide,
            "sign_form": SignForm(),
            "reschedule_form": RescheduleForm(),
            "may_change": request.user.has_perm(services.CHANGE),
            "may_run": request.user.has_perm("scheduling.add_scheduleversion"),
            "signatures": signatures_for(version),
            "others": others,
            "late": [a for a in assignments if a.late][:50],
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def version_progress(request, pk):
    """The run panel alone, re-fetched when the live socket says the search moved."""
    return render(request, "scheduling/_run_panel.html", {"version": _version(request, pk)})


ACTIONS = {
    "propose": (services.propose_version, _("Proposed for approval.")),
    "withdraw": (
        lambda *, version, user: services.SCHEDULE_STATES.apply(services.lock_version(version), "withdraw", user),
        _("Withdrawn: back to draft."),
    ),
    "release": (services.release_version, _("Released: the dispatch lists follow this schedule.")),
    "stop": (services.stop_run, _("Stopping: the best schedule found so far is kept.")),
}


@login_required
@require_POST
def version_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    version = _version(request, pk)
    service, done = ACTIONS[action]
    try:
        with transaction.atomic():
            service(version=version, user=request.user)
        messages.success(request, done)
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("scheduling:version-detail", pk=version.pk)


@login_required
@require_POST
def version_decide(request, pk, decision):
    """Approve or reject with the e-signature form of the version page."""
    if decision not in ("approve", "reject"):
        raise Http404
    version = _version(request, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        service = services.approve_version if decision == "approve" else services.reject_version
        try:
            service(version=version, user=request.user, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Approved.") if decision == "approve" else _("Rejected: back to draft."))
    else:
        messages.error(request, _("Enter your password to sign."))
    return redirect("scheduling:version-detail", pk=version.pk)


@login_required
@require_POST
def version_reschedule(request, pk):
    version = _version(request, pk)
    form = RescheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what changed."))
        return redirect("scheduling:version-detail", pk=version.pk)
    try:
        new = services.reschedule(version=version, user=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("scheduling:version-detail", pk=version.pk)
    messages.success(request, _("Run %(number)s queued from this plan.") % {"number": new.number})
    return redirect("scheduling:version-detail", pk=new.pk)


@login_required
@permission_required(VIEW, raise_exception=True)
def version_compare(request, pk, other):
    a, b = _version(request, pk), _version(request, other)
    return render(request, "scheduling/version_compare.html", {"a": a, "b": b, "comparison": selectors.compare(a, b)})
