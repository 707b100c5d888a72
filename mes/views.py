"""Production desk pages: work orders listed, created, changed and moved along their life, with
their operations and materials. The same services as the API do the work."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.object_views import ObjectPage
from core.selectors import master_data
from mes.forms import WorkOrderForm
from mes.models import Operation, WorkOrder
from mes.selectors import plant
from mes.services import work_orders

ACTIONS = {
    "release": (work_orders.release_work_order, _("Released.")),
    "hold": (work_orders.hold_work_order, _("Put on hold.")),
    "resume": (work_orders.resume_work_order, _("Resumed.")),
    "cancel": (work_orders.cancel_work_order, _("Cancelled.")),
    "complete": (work_orders.complete_work_order, _("Completed.")),
    "close": (work_orders.close_work_order, _("Closed.")),
}
ACTION_LABELS = {
    "release": _("Release"),
    "hold": _("Hold"),
    "resume": _("Resume"),
    "cancel": _("Cancel"),
    "complete": _("Complete"),
    "close": _("Close"),
}
# The transitions of the state machine each button stands for.
ACTION_TRANSITIONS = {
    "release": ("release",),
    "hold": ("hold",),
    "resume": ("resume_released", "resume_in_progress"),
    "cancel": ("cancel",),
    "complete": ("complete",),
    "close": ("close",),
}


def _work_order_context(request, order) -> dict:
    allowed = request.user.has_perm(work_orders.CHANGE)
    actions = [
        {"name": name, "label": ACTION_LABELS[name]}
        for name, transitions in ACTION_TRANSITIONS.items()
        if allowed and any(order.status in work_orders.TRANSITIONS[t].sources for t in transitions)
    ]
    return {
        "actions": actions,
        "operations": Operation.objects.filter(work_order=order)
        .select_related("work_centre", "equipment")
        .order_by("sequence"),
        "materials": order.materials.select_related("component__base_unit").order_by("line_no"),
    }


PAGES = {
    "workorder": ObjectPage(
        model=WorkOrder,
        name="workorder",
        namespace="mes",
        selector=plant.work_order_list,
        form_class=WorkOrderForm,
        list_columns=["number", "site", "item", "quantity", "due", "priority", "status", "good", "scrap"],
        detail_fields=[
            "number",
            "site",
            "item",
            "quantity",
            "unit",
            "due",
            "priority",
            "status",
            "reference",
            "bom",
            "routing",
            "good",
            "scrap",
            "released_at",
            "started_at",
            "completed_at",
            "created_by",
        ],
        create_service=lambda *, user, data: work_orders.create_work_order(user=user, **data),
        update_service=lambda *, instance, user, data: work_orders.update_work_order(
            work_order=instance, user=user, data=data
        ),
        search_fields=["number", "item__code", "reference"],
        filters=["site", "status", "priority"],
        filter_selectors={"site": master_data.site_list},
        detail_panels=["mes/_work_order_panels.html"],
        detail_context=_work_order_context,
        signable=False,
        estimate_count=True,
        bulk_actions=[("mes:workorder-release-selected", _("Release selected"))],
    ),
}


@login_required
@require_POST
def work_order_action(request, pk, action):
    """One button of the work order page: release, hold, resume, cancel, complete or close."""
    order = get_object_or_404(plant.work_order_list(user=request.user), pk=pk)
    service, done = ACTIONS[action]
    if not request.user.has_perm(work_orders.CHANGE):
        messages.error(request, _("You do not have permission to do this."))
    else:
        try:
            service(work_order=order, user=request.user)
            messages.success(request, done)
        except DomainError as error:
            messages.error(request, str(error.message))
    return redirect("mes:workorder-detail", pk=order.pk)


@login_required
@require_POST
def work_order_release_selected(request):
    """The list's "Release selected": the ticked drafts released (`release_work_orders`), each
    order refused on its own with the reason, and back to the list as it was filtered."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    back = back or reverse("mes:workorder-list")
    if not request.user.has_perm(work_orders.CHANGE):
        messages.error(request, _("You do not have permission to do this."))
        return redirect(back)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    if not ids:
        messages.error(request, _("Tick the work orders to release."))
        return redirect(back)
    visible = plant.work_order_list(user=request.user).filter(pk__in=ids)
    numbers = dict(visible.values_list("pk", "number"))
    result = work_orders.release_work_orders(work_orders=list(numbers), user=request.user)
    if result.released:
        count = len(result.released)
        messages.success(
            request,
            ngettext(
                "Released %(count)d work order: %(numbers)s.", "Released %(count)d work orders: %(numbers)s.", count
            )
            % {"count": count, "numbers": ", ".join(order.number for order in result.released)},
        )
    for pk, error in sorted(result.refused.items()):
        messages.error(request, f"{numbers[pk]}: {error.message}")
    return redirect(back)
