"""Desk pages of what is where: stock, an item's stock, lots and bins."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import REFUSALS
from core.listing import list_page
from core.selectors.master_data import item_list
from wms.desk import columns, filters, forms
from wms.desk.filters import filter_bar
from wms.desk.views.base import desk, for_site, render_list
from wms.selectors import kpis, pages
from wms.selectors.stock import bin_list, lot_list, move_list, stock_list, summarise_by_item
from wms.services import locations
from wms.services import lots as lot_services
from wms.services import putaway as putaway_services

# --- stock ---------------------------------------------------------------------------------------


@desk("wms.view_stockquant")
def stock(request):
    form, rows = filter_bar(filters.StockFilter, request, for_site(stock_list(user=request.user), request))
    group = request.GET.get("group")
    group = group if group in dict(filters.StockFilterForm.GROUPS) else "item"
    total_value = pages.stock_value(rows)
    if group == "item":
        listing = summarise_by_item(rows)
    elif group == "bin":
        listing = rows.order_by("bin__warehouse__code", "bin__pick_sequence", "bin__code", "item__code")
    else:
        listing = rows.filter(lot__isnull=False).order_by("lot__expiry", "item__code", "lot__code", "bin__code")
    return render_list(
        request,
        "wms/stock.html",
        listing,
        columns=columns.STOCK_BY_ITEM if group == "item" else columns.STOCK_LINES,
        title=_("Stock"),
        form=form,
        group=group,
        total_value=total_value,
    )


@desk("wms.view_stockquant")
def item_stock(request, code):
    """Where one item is: bins, lots, expiry and status, and its latest moves."""
    item = get_object_or_404(item_list(user=request.user), code=code)
    rows = for_site(stock_list(user=request.user), request).filter(item=item)
    rows = rows.order_by("lot__expiry", "lot__code", "bin__code")
    total = sum((row.quantity for row in rows), start=0)
    moves = for_site(move_list(user=request.user), request).filter(item=item)[:20]
    return render(
        request,
        "wms/item_stock.html",
        {"item": item, "rows": rows, "total": total, "value": pages.stock_value(rows), "moves": moves},
    )


# --- lots ----------------------------------------------------------------------------------------


@desk("wms.view_lot")
def lot_list_view(request):
    form, lots = filter_bar(filters.LotFilter, request, for_site(lot_list(user=request.user), request))
    return render_list(request, "wms/lot_list.html", lots, columns=columns.LOTS, title=_("Lots"), form=form)


# Templates of extra buttons on the lot page (a quality hold): a higher app adds its template name
# here from its AppConfig.ready(); each receives the page's context.
LOT_ACTIONS: list[str] = []


@desk("wms.view_lot")
def lot_detail(request, pk):
    lot = get_object_or_404(lot_list(user=request.user), pk=pk)
    allowed = lot_services.TRANSITIONS.get(lot.status, set())
    status_form = forms.LotStatusForm(allowed=allowed)
    if request.method == "POST":
        if not request.user.has_perm("wms.change_lot"):
            raise PermissionDenied
        status_form = forms.LotStatusForm(request.POST, allowed=allowed)
        if status_form.is_valid():
            try:
                lot = lot_services.change_lot_status(
                    lot=lot,
                    status=status_form.cleaned_data["status"],
                    user=request.user,
                    reason=status_form.cleaned_data["reason"],
                    password=status_form.cleaned_data["password"],
                )
            except REFUSALS as error:
                status_form.show_domain_error(error)
            else:
                messages.success(
                    request, _("Lot %(lot)s is now %(status)s.") % {"lot": lot.code, "status": lot.get_status_display()}
                )
                return redirect("wms:lot-detail", pk=lot.pk)
    stock_rows = stock_list(user=request.user, lot=lot).order_by("bin__code")
    moves = move_list(user=request.user).filter(lot=lot)[:50]
    putaway = putaway_services.release_putaway(lot=lot, user=request.user) if lot.status == "available" else []
    return render(
        request,
        "wms/lot_detail.html",
        {
            "lot": lot,
            "stock_rows": stock_rows,
            "moves": moves,
            "putaway": putaway,
            "signs_release": lot.status in lot_services.SIGNED_RELEASE_FROM,
            "status_form": status_form,
            "can_change": request.user.has_perm("wms.change_lot") and bool(status_form.actions),
            "extra_actions": LOT_ACTIONS,
        },
    )


# --- bins ----------------------------------------------------------------------------------------


@desk("wms.view_bin")
def bin_list_view(request):
    form, bins = filter_bar(filters.BinFilter, request, for_site(bin_list(user=request.user), request))
    result = list_page(request, bins, columns=columns.BINS, title=_("Bins"))
    if isinstance(result, HttpResponseBase):
        return result
    page_obj = result["page_obj"]
    loads = pages.bin_loads(user=request.user, site=request.site)
    usage = {}
    if request.site is not None:
        frame = kpis.bin_utilisation(user=request.user, site=request.site)
        usage = dict(zip(frame["bin"], frame["utilisation_pct"], strict=True))
    for bin_ in page_obj:
        bin_.load = loads.get(bin_.pk)
        bin_.utilisation_pct = usage.get(bin_.code)
    return render(request, "wms/bin_list.html", {"form": form, **result, "label_query": _label_query(form)})


def _label_query(form) -> str:
    """The bin-label sheet's query for the bins the filter shows (by warehouse, zone, aisle)."""
    if not form.is_bound or not form.is_valid():
        return ""
    data = form.cleaned_data
    params = {}
    for name in ("warehouse", "zone"):
        value = data.get(name)
        if value:
            params[name] = getattr(value, "code", value)
    if data.get("aisle"):
        params["aisle"] = data["aisle"]
    return urlencode(params)


@desk("wms.view_bin")
def bin_detail(request, pk):
    bin_ = get_object_or_404(bin_list(user=request.user), pk=pk)
    block_form = forms.BinBlockForm()
    if request.method == "POST":
        if not request.user.has_perm("wms.change_bin"):
            raise PermissionDenied
        block_form = forms.BinBlockForm(request.POST)
        if block_form.is_valid():
            reason = block_form.cleaned_data["reason"]
            try:
                if "unblock" in request.POST:
                    bin_ = locations.unblock_bin(bin=bin_, user=request.user, reason=reason)
                    messages.success(request, _("Bin %(bin)s is open again.") % {"bin": bin_.code})
                else:
                    bin_ = locations.block_bin(bin=bin_, user=request.user, reason=reason)
                    messages.success(request, _("Bin %(bin)s is blocked.") % {"bin": bin_.code})
            except REFUSALS as error:
                block_form.show_domain_error(error)
            else:
                return redirect("wms:bin-detail", pk=bin_.pk)
    rows = stock_list(user=request.user, bin=bin_).order_by("item__code", "lot__code")
    moves = pages.moves_touching_bin(user=request.user, bin=bin_)[:30]
    return render(
        request,
        "wms/bin_detail.html",
        {
            "bin": bin_,
            "rows": rows,
            "value": pages.stock_value(rows),
            "moves": moves,
            "block_form": block_form,
            "can_change": request.user.has_perm("wms.change_bin"),
        },
    )
