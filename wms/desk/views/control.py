"""Desk pages of stock control: cycle counts (with signed approval) and inventory alerts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import REFUSALS, SignatureForm, apply_errors
from wms.desk import columns, filters
from wms.desk.filters import filter_bar
from wms.desk.views.base import desk, for_site, render_list
from wms.models import CountStatus
from wms.selectors import control
from wms.selectors.stock import on_hand_quantity
from wms.services import alerts, counting

# --- counts --------------------------------------------------------------------------------------


@desk("wms.view_counttask")
def count_list(request):
    form, tasks = filter_bar(
        filters.CountFilter, request, for_site(control.count_task_list(user=request.user), request)
    )
    by_status = dict(
        for_site(control.count_task_list(user=request.user), request)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return render_list(
        request,
        "wms/count_list.html",
        tasks,
        columns=columns.COUNTS,
        title=_("Counts"),
        form=form,
        status_cards=[(value, label, by_status.get(value, 0)) for value, label in CountStatus.choices],
    )


@desk("wms.add_counttask")
@require_POST
def count_generate(request):
    """Create today's cycle-count tasks for the current site (by ABC class intervals)."""
    if request.site is None:
        raise PermissionDenied
    created = counting.generate_count_tasks(site=request.site, user=request.user)
    if created:
        messages.success(request, _("%(n)s count tasks created.") % {"n": len(created)})
    else:
        messages.info(request, _("No count is due: nothing was created."))
    return redirect("wms:count-list")


@desk("wms.view_counttask")
def count_detail(request, pk):
    task = get_object_or_404(control.count_task_list(user=request.user), pk=pk)
    return render(
        request,
        "wms/count_detail.html",
        {"task": task, "can_approve": _may_approve(request.user, task)},
    )


def _may_approve(user, task) -> bool:
    return (
        task.status == CountStatus.PENDING_APPROVAL
        and user.has_perm("wms.change_counttask")
        and user.has_role(*counting.APPROVER_ROLES)
    )


@desk("wms.change_counttask")
def count_approve(request, pk):
    """Approve (book) or reject (recount) a large variance, signed with the password."""
    task = get_object_or_404(control.count_task_list(user=request.user), pk=pk)
    if not _may_approve(request.user, task):
        messages.error(request, _("This count is not waiting for your approval."))
        return redirect("wms:count-detail", pk=task.pk)
    form = SignatureForm(request.POST or None, user=request.user, meanings=["approved", "rejected"])
    if request.method == "POST" and form.is_valid():
        data = form.signature_data()
        try:
            if data["meaning"] == "approved":
                task = counting.approve_count(
                    task=task, user=request.user, password=data["password"], reason=data["reason"]
                )
                messages.success(request, _("Count approved and booked."))
            else:
                task = counting.reject_count(
                    task=task, user=request.user, password=data["password"], reason=data["reason"]
                )
                messages.success(request, _("Count rejected; a recount task was created."))
        except REFUSALS as error:
            apply_errors(form, error, aliases={"reason": "comment"})
        else:
            return redirect("wms:count-detail", pk=task.pk)
    on_hand = on_hand_quantity(user=request.user, item=task.item, lot=task.lot, bin=task.bin)
    return render(request, "wms/count_approve.html", {"task": task, "form": form, "on_hand": on_hand})


# --- alerts --------------------------------------------------------------------------------------


@desk("wms.view_inventoryalert")
def alert_list(request):
    rows = for_site(control.alert_list(user=request.user), request)
    form, rows = filter_bar(filters.AlertFilter, request, rows, defaults={"open": "true"})
    return render_list(request, "wms/alert_list.html", rows, columns=columns.ALERTS, title=_("Alerts"), form=form)


@desk("wms.change_inventoryalert")
@require_POST
def alert_evaluate(request):
    """Check the current site's stock for alert conditions now instead of at the next run."""
    if request.site is None:
        raise PermissionDenied
    result = alerts.evaluate_alerts(site=request.site)
    messages.success(
        request,
        _("Alerts checked: %(raised)s raised, %(resolved)s resolved, %(open)s open.") % result,
    )
    return redirect("wms:alert-list")
