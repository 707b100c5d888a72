"""Desk pages of the ledger: the move list and a move typed at the desk."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import REFUSALS
from core.quantities import plain_quantity
from wms.desk import columns, filters, forms
from wms.desk.filters import filter_bar
from wms.desk.views.base import code_lists, desk, for_site, render_list
from wms.selectors.stock import move_list
from wms.services import ledger

# --- moves ---------------------------------------------------------------------------------------


@desk("wms.view_stockmove")
def move_list_view(request):
    form, moves = filter_bar(filters.MoveFilter, request, for_site(move_list(user=request.user), request))
    return render_list(request, "wms/move_list.html", moves, columns=columns.MOVES, title=_("Moves"), form=form)


@desk("wms.add_stockmove")
def move_create(request):
    """Post one move through the ledger; a refusal shows on the form and writes nothing."""
    form = forms.MoveForm(request.POST or None, user=request.user, site=request.site, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            move = ledger.post_move(
                kind=data["kind"],
                item=data["item"],
                quantity=data["quantity"],
                unit=data["unit"],
                lot_code=data["lot"] or None,
                from_bin=data["from_bin"],
                to_bin=data["to_bin"],
                reference=data["reference"],
                reason=data["reason"],
                user=request.user,
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            messages.success(
                request,
                _("Posted: %(kind)s of %(quantity)s %(unit)s %(item)s.")
                % {
                    "kind": move.get_kind_display(),
                    "quantity": plain_quantity(move.quantity),
                    "unit": move.item.base_unit.code,
                    "item": move.item.code,
                },
            )
            return redirect("wms:move-list")
    return render(request, "wms/move_form.html", {"form": form, **code_lists(request)})
