"""Printable documents: the receipt slip (what to expect, to tick off at the dock) and the pick
slip (what to pick, in walking order). Each page is sized for A4 or Letter (`?paper=`) and
carries a QR code of the document number, which the desk search and the shop-floor screens
read; the lines carry QR codes of what is scanned on them (the item on a receipt, the
item and lot on a pick)."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from core import scancodes
from wms.desk.views.base import desk
from wms.floor.views.labels import qr_svg
from wms.selectors import inbound

PAPERS = ("a4", "letter")


def _paper(request) -> str:
    paper = request.GET.get("paper", "a4")
    return paper if paper in PAPERS else "a4"


@desk("wms.view_expectedreceipt")
def receipt_slip(request, pk):
    receipt = get_object_or_404(inbound.expected_receipt_list(user=request.user), pk=pk)
    lines = [
        {"line": line, "qr": qr_svg(line.item.code)}
        for line in receipt.lines.select_related("item__base_unit").order_by("line_no")
    ]
    return render(
        request,
        "wms/documents/receipt_slip.html",
        {
            "receipt": receipt,
            "lines": lines,
            "qr": qr_svg(receipt.number),
            "paper": _paper(request),
            "printed_at": timezone.now(),
            "title": receipt.number,
        },
    )


@desk("wms.view_picklist")
def pick_slip(request, pk):
    pick_list = get_object_or_404(inbound.pick_list_list(user=request.user), pk=pk)
    lines = []
    for line in pick_list.lines.select_related("item__base_unit", "lot__item", "bin").order_by("sequence"):
        payload = scancodes.lot_payload(lot=line.lot) if line.lot else line.item.code
        lines.append({"line": line, "qr": qr_svg(payload), "payload": payload})
    return render(
        request,
        "wms/documents/pick_slip.html",
        {
            "pick_list": pick_list,
            "lines": lines,
            "qr": qr_svg(pick_list.number),
            "paper": _paper(request),
            "printed_at": timezone.now(),
            "title": pick_list.number,
        },
    )
