"""Shop-floor picking: open pick lists, then the next line in walking order."""

from django.shortcuts import get_object_or_404, redirect, render

from core.floor.views import floor_view, render_screen
from core.forms import REFUSALS
from core.quantities import plain_quantity
from wms.floor.forms import PickForm
from wms.selectors.inbound import (
    open_pick_lists,
    pick_line_list,
    pick_list_list,
)
from wms.services.picking import confirm_pick

# Pick ---------------------------------------------------------------------------------------


@floor_view("wms.add_stockmove")
def pick(request):
    """Open pick lists of the site as big buttons."""
    lists = open_pick_lists(user=request.user, site=request.site)
    return render(request, "wms/tablet/pick_start.html", {"pick_lists": lists})


@floor_view("wms.add_stockmove")
def pick_list(request, pk):
    """The next open line in walking order: bin, item, lot, quantity; confirm or report short."""
    pick_list = get_object_or_404(pick_list_list(user=request.user, site=request.site), pk=pk)
    lines = list(
        pick_line_list(user=request.user, pick_list=pick_list).order_by("bin__pick_sequence", "bin__code", "sequence")
    )
    todo = [line for line in lines if line.status == "open" and line.bin_id is not None]
    done_count = len(lines) - len(todo)
    if not todo:
        return render(request, "wms/tablet/pick_done.html", {"pick_list": pick_list, "lines": lines})
    line = todo[0]
    short = "short" in request.POST
    form = PickForm(
        request.POST or None,
        user=request.user,
        line=line,
        short=short,
        initial={"quantity": plain_quantity(line.quantity)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            confirm_pick(
                line=line,
                picked_quantity=data["quantity"],
                user=request.user,
                scanned_bin=data["bin"].record,
                scanned_lot=data["lot"].lot if data.get("lot") else None,
            )
        except REFUSALS as error:
            form.show_domain_error(error)
        else:
            return redirect("wms:tablet-pick-list", pk=pick_list.pk)
    return render_screen(
        request,
        "wms/tablet/pick_line.html",
        {
            "form": form,
            "pick_list": pick_list,
            "line": line,
            "done_count": done_count,
            "total": len(lines),
            "percent": round(100 * done_count / len(lines)) if lines else 0,
        },
    )
