"""The warehouse's part of the desk search: bins, lots and serials, expected receipts and pick
lists by their code or number, and scanned lot or bin labels."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import scancodes
from core.errors import ValidationFailed
from core.search import SearchHit, code_matches
from wms.selectors.inbound import expected_receipt_list, pick_list_list
from wms.selectors.stock import bin_list, lot_list


def find_records(*, user, text: str) -> list[SearchHit]:
    if scancodes.SEPARATOR in text:
        return _scanned(user, text)
    hits = []
    if user.has_perm("wms.view_bin"):
        for bin_, exact in code_matches(bin_list(user=user), text, name_field=None):
            hits.append(
                SearchHit(_("Bin"), bin_.code, str(bin_.zone), reverse("wms:bin-detail", args=[bin_.pk]), exact)
            )
    if user.has_perm("wms.view_lot"):
        lots = lot_list(user=user).select_related("item")
        for lot, exact in code_matches(lots, text, name_field=None):
            title = f"{lot.item.code} · {lot.get_status_display()}"
            hits.append(SearchHit(_("Lot"), lot.code, title, reverse("wms:lot-detail", args=[lot.pk]), exact))
    if user.has_perm("wms.view_expectedreceipt"):
        receipts = expected_receipt_list(user=user)
        for receipt, exact in code_matches(receipts, text, code_field="number", name_field=None):
            url = reverse("wms:receipt-detail", args=[receipt.pk])
            hits.append(SearchHit(_("Expected receipt"), receipt.number, str(receipt.supplier), url, exact))
    if user.has_perm("wms.view_picklist"):
        for pick_list, exact in code_matches(pick_list_list(user=user), text, code_field="number", name_field=None):
            url = reverse("wms:picklist-detail", args=[pick_list.pk])
            hits.append(SearchHit(_("Pick list"), pick_list.number, pick_list.get_status_display(), url, exact))
    return hits


def _scanned(user, text: str) -> list[SearchHit]:
    """A label's payload (or ITEM|LOT typed from a torn one) names exactly one record."""
    try:
        scan = scancodes.parse(text, user=user)
    except ValidationFailed:
        return []
    if scan.lot is not None and user.has_perm("wms.view_lot"):
        url = reverse("wms:lot-detail", args=[scan.lot.pk])
        return [SearchHit(_("Lot"), scan.lot.code, scan.lot.item.code, url, True)]
    if scan.kind == "bin" and scan.record is not None and user.has_perm("wms.view_bin"):
        bin_ = scan.record
        return [SearchHit(_("Bin"), bin_.code, str(bin_.zone), reverse("wms:bin-detail", args=[bin_.pk]), True)]
    return []
