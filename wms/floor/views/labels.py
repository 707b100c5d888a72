"""Printable labels for lots and bins: label-size pages whose QR code holds the payload that
`core.scancodes.parse` reads back. The QR is drawn on the server as inline SVG (no web fonts,
no CDN), so a browser's Print gives a sharp label on any printer."""

from decimal import Decimal

import segno
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import scancodes
from core.errors import ValidationFailed
from core.quantities import parse_quantity
from wms.floor.scanning import bin_payload
from wms.selectors.stock import bin_list, lot_list, on_hand_quantity

LAYOUTS = ("roll", "sheet")
MAX_COPIES = 50
MAX_BINS = 500


def qr_svg(payload: str) -> str:
    """A full-size QR code (never Micro QR, which many scanners cannot read) as inline SVG that
    scales to its box."""
    code = segno.make_qr(payload, error="m")
    return mark_safe(code.svg_inline(omitsize=True, border=2, dark="#000"))  # noqa: S308 - segno output, no user HTML


def _layout(request) -> str:
    layout = request.GET.get("layout", "roll")
    return layout if layout in LAYOUTS else "roll"


def _copies(request) -> int:
    try:
        copies = int(request.GET.get("copies", "1"))
    except ValueError:
        copies = 1
    return min(max(copies, 1), MAX_COPIES)


def _quantity(request, lot, user) -> Decimal | None:
    text = request.GET.get("quantity", "").strip()
    if not text:
        on_hand = on_hand_quantity(user=user, item=lot.item, lot=lot)
        return on_hand or None
    try:
        return parse_quantity(text, unit=lot.item.base_unit)
    except ValidationFailed as error:
        raise ValidationFailed(
            _("The quantity on a label: %(why)s") % {"why": error.message}, field="quantity"
        ) from None


@login_required
@permission_required("wms.view_lot", raise_exception=True)
def lot_label(request, pk):
    """One lot label (or `copies` of it): item, lot, quantity, expiry and the QR payload."""
    lot = get_object_or_404(lot_list(user=request.user), pk=pk)
    quantity = _quantity(request, lot, request.user)
    payload = scancodes.lot_payload(lot=lot, quantity=quantity)
    label = {"lot": lot, "quantity": quantity, "payload": payload, "qr": qr_svg(payload)}
    return render(
        request,
        "wms/labels/lot.html",
        {"labels": [label] * _copies(request), "layout": _layout(request), "title": str(lot)},
    )


@login_required
@permission_required("wms.view_bin", raise_exception=True)
def bin_label(request, pk):
    bin_ = get_object_or_404(bin_list(user=request.user), pk=pk)
    return render(
        request,
        "wms/labels/bin.html",
        {"labels": [_bin_label(bin_)] * _copies(request), "layout": _layout(request), "title": bin_.code},
    )


@login_required
@permission_required("wms.view_bin", raise_exception=True)
def bin_labels(request):
    """Labels for many bins: `?code=...` (repeatable) or by `warehouse`, `zone` and `aisle` code.
    Printed as a sheet (A4, ten to a page) unless `layout=roll`."""
    bins = bin_list(user=request.user)
    codes = _codes(request, "code")
    warehouse, zone, aisle = (next(iter(_codes(request, name)), "") for name in ("warehouse", "zone", "aisle"))
    if codes:
        bins = bins.filter(code__in=codes)
    if warehouse:
        bins = bins.filter(warehouse__code=warehouse)
    if zone:
        bins = bins.filter(zone__code=zone)
    if aisle:
        bins = bins.filter(aisle=aisle)
    if not (codes or warehouse or zone or aisle):
        raise ValidationFailed(_("Choose the bins to print: by code, warehouse, zone or aisle."), field="code")
    bins = list(bins.order_by("warehouse__code", "pick_sequence", "code")[:MAX_BINS])
    layout = request.GET.get("layout", "sheet")
    return render(
        request,
        "wms/labels/bin.html",
        {
            "labels": [_bin_label(b) for b in bins],
            "layout": layout if layout in LAYOUTS else "sheet",
            "title": _("Bin labels"),
        },
    )


def _codes(request, name: str) -> list[str]:
    """The non-blank codes given for `name`; a control character is no code of ours."""
    codes = [code.strip() for code in request.GET.getlist(name) if code.strip()]
    if any(not code.isprintable() for code in codes):
        raise ValidationFailed(_("This code is not one of ours."), field=name)
    return codes


def _bin_label(bin_) -> dict:
    payload = bin_payload(bin=bin_)
    return {"bin": bin_, "payload": payload, "qr": qr_svg(payload)}
