"""Desk pages of stock adjustments: ask for one (reason code, thresholds), and the list of them.
Held adjustments are decided in the approvals inbox (/core/approvals/)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import REFUSALS
from core.quantities import plain_quantity
from wms.desk import forms
from wms.desk.views.base import code_lists, desk, for_site, page_of
from wms.models import AdjustmentStatus
from wms.selectors.stock import adjustment_list
from wms.services import adjustments


@desk("wms.view_stockadjustment")
def adjustment_list_view(request):
    rows = for_site(adjustment_list(user=request.user), request)
    status = request.GET.get("status")
    if status in AdjustmentStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "wms/adjustment_list.html",
        {"page_obj": page_of(request, rows), "statuses": AdjustmentStatus.choices, "status": status},
    )


@desk("wms.add_stockadjustment")
def adjustment_create(request):
    """Ask for an adjustment; a refusal shows on the form and writes nothing."""
    form = forms.AdjustmentForm(request.POST or None, user=request.user, site=request.site, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            adjustment = adjustments.request_adjustment(
                item=data["item"],
                bin=data["bin"],
                lot_code=data["lot"],
                quantity=form.signed_quantity(),
                reason_code=data["reason_code"],
                note=data["note"],
                user=request.user,
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            params = {
                "quantity": plain_quantity(adjustment.quantity),
                "unit": adjustment.item.base_unit.code,
                "item": adjustment.item.code,
                "bin": adjustment.bin.code,
            }
            if adjustment.status == AdjustmentStatus.POSTED:
                messages.success(request, _("Adjusted %(item)s in %(bin)s by %(quantity)s %(unit)s.") % params)
            else:
                messages.warning(
                    request,
                    _(
                        "The adjustment of %(item)s in %(bin)s by %(quantity)s %(unit)s is above the warehouse's "
                        "thresholds: it waits for a supervisor's signed approval."
                    )
                    % params,
                )
            return redirect("wms:adjustment-list")
    return render(request, "wms/adjustment_form.html", {"form": form, **code_lists(request)})
