"""Desk pages of pick lists: list, detail, allocate, cancel."""

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
from wms.services import picking

# --- pick lists ----------------------------------------------------------------------------------


@desk("wms.view_picklist")
def picklist_list(request):
    lists = for_site(inbound.pick_list_list(user=request.user), request)
    form, lists = filter_bar(filters.PickListFilter, request, lists)
    return render_list(
        request, "wms/picklist_list.html", lists, columns=columns.PICK_LISTS, title=_("Pick lists"), form=form
    )


@desk("wms.view_picklist")
def picklist_detail(request, pk):
    pick_list = get_object_or_404(inbound.pick_list_list(user=request.user), pk=pk)
    return render(request, "wms/picklist_detail.html", {"pick_list": pick_list, "lines": pick_list.lines.all()})


PICK_LIST_PAGE = DocumentPage(
    create=picking.create_pick_list,
    fields=("purpose", "reference", "destination_bin", "number"),
    template="wms/picklist_form.html",
    detail="wms:picklist-detail",
    created=gettext_lazy("Pick list %(number)s created."),
)


@desk("wms.add_picklist")
def picklist_create(request):
    """Allocate item lines from usable stock (FEFO) into a pick list."""
    data = request.POST or None
    form = forms.PickListForm(data, user=request.user, site=request.site)
    lines = forms.PickLineFormSet(data, prefix="lines", form_kwargs={"user": request.user})
    return document_form(request, PICK_LIST_PAGE, form, lines)


@desk("wms.change_picklist")
@require_POST
def picklist_cancel(request, pk):
    pick_list = get_object_or_404(inbound.pick_list_list(user=request.user), pk=pk)
    try:
        pick_list = picking.cancel_pick_list(pick_list=pick_list, user=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Pick list %(number)s cancelled.") % {"number": pick_list.number})
    return redirect("wms:picklist-detail", pk=pick_list.pk)
