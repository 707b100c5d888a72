"""Shop-floor receiving: choose the delivery, receive each line, see where the goods went."""

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.floor.views import floor_view, render_screen
from core.forms import REFUSALS
from core.scancodes import parse
from wms.floor.forms import ReceiveForm
from wms.floor.views.base import REFERENCE
from wms.models import (
    MoveKind,
    StockMove,
    ZoneKind,
)
from wms.selectors.inbound import (
    OPEN_RECEIPT_STATUSES,
    expected_receipt_line_list,
    open_expected_receipts,
)
from wms.selectors.stock import move_list
from wms.services.receiving import receive_goods

# Receive ------------------------------------------------------------------------------------


def _open_receipts(request):
    return open_expected_receipts(user=request.user, site=request.site).select_related("supplier")


@floor_view("wms.add_stockmove")
def receive(request):
    """Choose the delivery being received, or receive without notice."""
    return render_screen(request, "wms/tablet/receive_start.html", {"receipts": _open_receipts(request)})


@floor_view("wms.add_stockmove")
def receive_receipt(request, pk):
    """The lines of one delivery as big buttons; scanning an item label jumps to its line."""
    receipt = get_object_or_404(_open_receipts(request), pk=pk)
    lines = list(receipt.lines.select_related("item__base_unit").order_by("line_no"))
    error = ""
    code = request.GET.get("code", "").strip()
    if code:
        try:
            scan = parse(code, user=request.user, new_lot_ok=True)
        except DomainError as exc:
            error = str(exc.message)
        else:
            match = [line for line in lines if not line.closed and scan.item is not None and line.item == scan.item]
            if match:
                url = reverse("wms:tablet-receive-line", args=[match[0].pk])
                if scan.kind == "lot":
                    url += "?" + urlencode({"item": scan.raw})
                return redirect(url)
            error = _("%(code)s is not on this delivery.") % {"code": code}
    return render(
        request,
        "wms/tablet/receive_receipt.html",
        {"receipt": receipt, "lines": lines, "scan_error": error},
        status=400 if error else 200,
    )


@floor_view("wms.add_stockmove")
def receive_line(request, pk=None):
    """Quantity and lot for one expected line (`pk`), or for a scanned item without notice."""
    line = None
    if pk is not None:
        line = get_object_or_404(
            expected_receipt_line_list(user=request.user, open_only=True).filter(
                receipt__site=request.site, receipt__status__in=OPEN_RECEIPT_STATUSES
            ),
            pk=pk,
        )
    initial = {"item": request.GET.get("item", "")}
    form = ReceiveForm(request.POST or None, user=request.user, line=line, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = data["item_record"]
        attributes = {}
        if data.get("supplier_lot"):
            attributes["supplier_lot"] = data["supplier_lot"]
        if data.get("expiry"):
            attributes["expiry"] = data["expiry"]
        try:
            done = _receive(request, item=item, line=line, data=data, attributes=attributes)
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            return redirect("wms:tablet-receive-done", pk=done.pk)
    return render_screen(request, "wms/tablet/receive_line.html", {"form": form, "line": line})


def _receive(request, *, item, line, data, attributes) -> StockMove:
    return receive_goods(
        site=request.site,
        item=item,
        quantity=data["quantity"],
        user=request.user,
        line=line,
        lot_code=data.get("lot_code") or None,
        lot_attributes=attributes,
        reference="" if line else REFERENCE,
    )


@floor_view("wms.add_stockmove")
def receive_done(request, pk):
    """Where the goods went (quarantine shown big), print the lot label, put away now."""
    done = get_object_or_404(move_list(user=request.user).filter(kind=MoveKind.RECEIPT), pk=pk)
    quarantine = done.to_bin.zone.kind == ZoneKind.QUARANTINE or (done.lot and done.lot.status == "quarantine")
    putaway_url = reverse("wms:tablet-putaway-stock")
    putaway_url += f"?item={done.item_id}&bin={done.to_bin_id}" + (f"&lot={done.lot_id}" if done.lot_id else "")
    return render(
        request,
        "wms/tablet/receive_done.html",
        {
            "move": done,
            "quarantine": quarantine,
            "putaway_url": putaway_url,
            "receive_more_url": _receive_more_url(request, done),
        },
    )


def _receive_more_url(request, move) -> str:
    """Back to the same delivery while it still has lines to receive; after a receipt without
    notice, to the next one; else to the deliveries."""
    if not move.reference or move.reference == REFERENCE:
        return reverse("wms:tablet-receive-free")
    receipt = _open_receipts(request).filter(number=move.reference).first()
    return reverse("wms:tablet-receive-receipt", args=[receipt.pk]) if receipt else reverse("wms:tablet-receive")
