"""Shop-floor cycle counting: the tasks due, and a blind count of one."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.floor.views import floor_view, render_screen
from core.forms import REFUSALS
from core.scancodes import parse
from wms.floor.forms import CountForm
from wms.models import (
    CountStatus,
)
from wms.selectors.control import count_task_list, open_count_tasks
from wms.selectors.stock import lot_list
from wms.services.counting import site_today, submit_count

# Count --------------------------------------------------------------------------------------


def _due_counts(request):
    return open_count_tasks(user=request.user, site=request.site).filter(due_date__lte=site_today(request.site))


@floor_view("wms.change_counttask")
def count(request):
    """Count tasks due today or earlier; scanning a bin (or a lot label, or typing the code of a lot
    to count) opens its first task."""
    tasks = list(_due_counts(request))
    error = ""
    code = request.GET.get("code", "").strip()
    if code:
        lots = lot_list(user=request.user).filter(pk__in=[task.lot_id for task in tasks if task.lot_id])
        try:
            scan = parse(code, user=request.user, lots=lots)
        except DomainError as exc:
            error = str(exc.message)
        else:
            if scan.kind == "bin":
                match = [task for task in tasks if task.bin == scan.record]
            else:
                match = [task for task in tasks if scan.lot is not None and task.lot == scan.lot]
            if match:
                return redirect(reverse("wms:tablet-count-task", args=[match[0].pk]) + f"?bin={match[0].bin.code}")
            error = _("Nothing to count for %(code)s today.") % {"code": code}
    return render(
        request,
        "wms/tablet/count_list.html",
        {"tasks": tasks, "scan_error": error},
        status=400 if error else 200,
    )


@floor_view("wms.change_counttask")
def count_task(request, pk):
    """Blind count of one task: the system quantity is never shown."""
    task = get_object_or_404(
        count_task_list(user=request.user, site=request.site),
        pk=pk,
    )
    if task.status != CountStatus.OPEN:
        return render(request, "wms/tablet/count_done.html", {"task": task})
    form = CountForm(request.POST or None, user=request.user, task=task, initial={"bin": request.GET.get("bin", "")})
    if request.method == "POST" and form.is_valid():
        try:
            task = submit_count(
                task=task,
                counted_quantity=form.cleaned_data["counted_quantity"],
                user=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            return redirect("wms:tablet-count-task", pk=task.pk)
    needs_reason = "reason" in form.errors or bool(form.data.get("reason"))
    return render_screen(
        request, "wms/tablet/count_task.html", {"form": form, "task": task, "needs_reason": needs_reason}
    )
