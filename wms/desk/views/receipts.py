"""Desk pages of expected receipts: list, detail, announce, cancel or short-close."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from wms.desk import columns, filters, forms
from wms.desk.filters import filter_bar
from wms.desk.views.base import DocumentPage, desk, document_form, for_site, render_list
from wms.selectors import inbound
from wms.selectors.stock import move_list
from wms.services import receiving

# --- expected receipts ---------------------------------------------------------------------------


@desk("wms.view_expectedreceipt")
def receipt_list(request):
    receipts = for_site(inbound.expected_receipt_list(user=request.user), request).order_by("-expected_date", "-number")
    form, receipts = filter_bar(filters.ReceiptFilter, request, receipts)
    return render_list(
        request, "wms/receipt_list.html", receipts, columns=columns.RECEIPTS, title=_("Expected receipts"), form=form
    )


@desk("wms.view_expectedreceipt")
def receipt_detail(request, pk):
    receipt = get_object_or_404(inbound.expected_receipt_list(user=request.user), pk=pk)
    moves = for_site(move_list(user=request.user), request).filter(kind="receipt", reference=receipt.number)[:50]
    return render(request, "wms/receipt_detail.html", {"receipt": receipt, "moves": moves})


RECEIPT_PAGE = DocumentPage(
    create=receiving.create_expected_receipt,
    fields=("number", "supplier", "reference", "expected_date"),
    template="wms/receipt_form.html",
    detail="wms:receipt-detail",
    created=gettext_lazy("Expected receipt %(number)s created."),
)


@desk("wms.add_expectedreceipt")
def receipt_create(request):
    """Announce a delivery with its item lines."""
    data = request.POST or None
    form = forms.ReceiptForm(data, user=request.user)
    lines = forms.ReceiptLineFormSet(data, prefix="lines", form_kwargs={"user": request.user})
    return document_form(request, RECEIPT_PAGE, form, lines)


@desk("wms.change_expectedreceipt")
@require_POST
def receipt_action(request, pk, action):
    """Cancel a receipt nothing arrived on, or short-close a partly received one."""
    receipt = get_object_or_404(inbound.expected_receipt_list(user=request.user), pk=pk)
    service = {"cancel": receiving.cancel_expected_receipt, "close": receiving.close_expected_receipt}[action]
    try:
        receipt = service(receipt=receipt, user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Receipt %(number)s is now %(status)s.")
            % {"number": receipt.number, "status": receipt.get_status_display().lower()},
        )
    return redirect("wms:receipt-detail", pk=receipt.pk)
