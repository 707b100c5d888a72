"""The shop-floor move screen: from bin, item or lot, quantity, to bin."""

from django.contrib import messages
from django.shortcuts import redirect

from core.floor.views import floor_view, render_screen
from core.forms import REFUSALS
from wms.floor.forms import MoveForm
from wms.floor.views.base import REFERENCE, describe_move
from wms.models import (
    MoveKind,
)
from wms.services.ledger import post_move

# Move ---------------------------------------------------------------------------------------


@floor_view("wms.add_stockmove")
def move(request):
    """From bin, item or lot label, quantity, to bin: one transfer through the ledger."""
    form = MoveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        what = data["what"]
        try:
            done = post_move(
                kind=MoveKind.TRANSFER,
                item=what.item,
                lot=what.lot,
                quantity=data["quantity"],
                from_bin=data["from_bin"].record,
                to_bin=data["to_bin"].record,
                user=request.user,
                reference=REFERENCE,
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            messages.success(request, describe_move(done))
            return redirect("wms:tablet-move")
    return render_screen(request, "wms/tablet/move.html", {"form": form})
