"""Shop-floor put-away: what waits in receiving, and where one stock line went."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.floor.views import floor_view, render_screen
from core.forms import REFUSALS
from core.quantities import plain_quantity
from core.scancodes import parse
from wms.floor.forms import PutawayForm
from wms.floor.views.base import describe_move, record_ids
from wms.selectors.inbound import (
    putaway_queue,
)
from wms.selectors.stock import lot_list, stock_list
from wms.services.putaway import confirm_putaway, suggest_putaway_bins

# Put away -----------------------------------------------------------------------------------


@floor_view("wms.add_stockmove")
def putaway(request):
    """What waits in the receiving bins; scanning a lot or item label (or typing the code of a lot
    that waits) picks it out."""
    waiting = putaway_queue(user=request.user, site=request.site)
    error = ""
    code = request.GET.get("code", "").strip()
    if code:
        waiting_lots = lot_list(user=request.user).filter(pk__in=waiting.filter(lot__isnull=False).values("lot_id"))
        try:
            scan = parse(code, user=request.user, lots=waiting_lots)
        except DomainError as exc:
            error = str(exc.message)
        else:
            if scan.kind == "bin":
                waiting = waiting.filter(bin=scan.record)
            elif scan.lot is not None:
                waiting = waiting.filter(lot=scan.lot)
            else:
                waiting = waiting.filter(item=scan.item)
            rows = list(waiting[:2])
            if len(rows) == 1:
                return redirect(_putaway_url(rows[0]))
            if not rows:
                error = _("Nothing of %(code)s is waiting to be put away.") % {"code": code}
                waiting = putaway_queue(user=request.user, site=request.site)
    return render(
        request,
        "wms/tablet/putaway_start.html",
        {"waiting": waiting[:60], "scan_error": error},
        status=400 if error else 200,
    )


def _putaway_url(quant) -> str:
    query = {"item": quant.item_id, "bin": quant.bin_id}
    if quant.lot_id:
        query["lot"] = quant.lot_id
    return reverse("wms:tablet-putaway-stock") + "?" + urlencode(query)


@floor_view("wms.add_stockmove")
def putaway_stock(request):
    """One stock line in receiving: the suggested bins, then scan where it went."""
    ids = record_ids(request.GET, "item", "bin", "lot")
    rows = stock_list(user=request.user, site=request.site).filter(item_id=ids["item"], bin_id=ids["bin"])
    rows = rows.filter(lot_id=ids["lot"]) if ids["lot"] else rows.filter(lot__isnull=True)
    quant = get_object_or_404(rows)
    suggestions = suggest_putaway_bins(
        item=quant.item, quantity=quant.quantity, site=request.site, lot=quant.lot, from_bin=quant.bin
    )
    suggested = suggestions[0].bin if suggestions else None
    form = PutawayForm(
        request.POST or None,
        user=request.user,
        unit=quant.item.base_unit,
        initial={"quantity": plain_quantity(quant.quantity)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = confirm_putaway(
                item=quant.item,
                quantity=form.cleaned_data["quantity"],
                from_bin=quant.bin,
                to_bin=form.cleaned_data["to_bin"].record,
                user=request.user,
                lot=quant.lot,
                suggested_bin=suggested,
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            messages.success(request, describe_move(done))
            return redirect("wms:tablet-putaway")
    return render_screen(
        request,
        "wms/tablet/putaway_stock.html",
        {"form": form, "quant": quant, "suggestions": suggestions},
    )
