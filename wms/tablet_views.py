"""Shop-floor screens for warehouse tablets and handheld scanners: receive, put away, pick, count
and move. Each POST goes through a service; a refused request is shown big on the same screen
with the cursor back in the scan field, and nothing is written."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from core.errors import DomainError
from wms.models import (
    CountStatus,
    MoveKind,
    StockMove,
    ZoneKind,
)
from wms.quantities import plain_quantity
from wms.scancodes import parse
from wms.selectors.control import count_task_list, open_count_tasks
from wms.selectors.inbound import (
    OPEN_RECEIPT_STATUSES,
    expected_receipt_line_list,
    open_expected_receipts,
    open_pick_lists,
    pick_line_list,
    pick_list_list,
    putaway_queue,
)
from wms.selectors.stock import move_list, stock_list
from wms.services.counting import site_today, submit_count
from wms.services.ledger import post_move
from wms.services.picking import confirm_pick
from wms.services.putaway import confirm_putaway, suggest_putaway_bins
from wms.services.receiving import receive_goods
from wms.tablet_forms import CountForm, MoveForm, PickForm, PutawayForm, ReceiveForm

REFERENCE = "floor"


def floor_view(perm: str):
    """A shop-floor screen: signed in, allowed to `perm`, and working at a site."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            if request.site is None:
                return render(request, "wms/tablet/no_site.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _render(request, template: str, context: dict):
    """Render a screen; a form with errors answers 400 and puts the cursor in the culprit field."""
    form = context.get("form")
    status = 200
    if form is not None:
        if form.is_bound and form.errors:
            status = 400
        focus = form.focus
        if focus:
            form.fields[focus].widget.attrs["autofocus"] = True
    return render(request, template, context, status=status)


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
                from_bin=data["from_bin"].bin,
                to_bin=data["to_bin"].bin,
                user=request.user,
                reference=REFERENCE,
            )
        except DomainError as error:
            form.show_domain_error(error)
        else:
            messages.success(request, _describe_move(done))
            return redirect("wms:tablet-move")
    return _render(request, "wms/tablet/move.html", {"form": form})


def _describe_move(done: StockMove) -> str:
    return _("Moved %(quantity)s %(unit)s of %(item)s%(lot)s from %(from)s to %(to)s.") % {
        "quantity": plain_quantity(done.quantity),
        "unit": done.item.base_unit.code,
        "item": done.item.code,
        "lot": f" · {done.lot.code}" if done.lot else "",
        "from": done.from_bin.code,
        "to": done.to_bin.code,
    }


# Receive ------------------------------------------------------------------------------------


def _open_receipts(request):
    return open_expected_receipts(user=request.user, site=request.site).select_related("supplier")


@floor_view("wms.add_stockmove")
def receive(request):
    """Choose the delivery being received, or receive without notice."""
    return _render(request, "wms/tablet/receive_start.html", {"receipts": _open_receipts(request)})


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
        except DomainError as error:
            form.show_domain_error(error, aliases={"lot": "lot_code"})
        else:
            return redirect("wms:tablet-receive-done", pk=done.pk)
    return _render(request, "wms/tablet/receive_line.html", {"form": form, "line": line})


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
        {"move": done, "quarantine": quarantine, "putaway_url": putaway_url},
    )


# Count --------------------------------------------------------------------------------------


def _due_counts(request):
    return open_count_tasks(user=request.user, site=request.site).filter(due_date__lte=site_today(request.site))


@floor_view("wms.change_counttask")
def count(request):
    """Count tasks due today or earlier; scanning a bin opens its first task."""
    tasks = list(_due_counts(request))
    error = ""
    code = request.GET.get("code", "").strip()
    if code:
        try:
            scan = parse(code, user=request.user)
        except DomainError as exc:
            error = str(exc.message)
        else:
            match = [task for task in tasks if scan.bin is not None and task.bin == scan.bin]
            if match:
                return redirect(reverse("wms:tablet-count-task", args=[match[0].pk]) + f"?bin={scan.bin.code}")
            error = _("Nothing to count in %(code)s today.") % {"code": code}
    return render(
        request,
        "wms/tablet/count_list.html",
        {"tasks": tasks, "scan_error": error},
        status=400 if error else 200,
    )


@floor_view("wms.change_counttask")
def count_task(request, pk):
    """Blind count of one task: the system quantity is never shown."""
    task = get_object_or_404(
        count_task_list(user=request.user, site=request.site),
        pk=pk,
    )
    if task.status != CountStatus.OPEN:
        return render(request, "wms/tablet/count_done.html", {"task": task})
    form = CountForm(request.POST or None, user=request.user, task=task, initial={"bin": request.GET.get("bin", "")})
    if request.method == "POST" and form.is_valid():
        try:
            task = submit_count(
                task=task,
                counted_quantity=form.cleaned_data["counted_quantity"],
                user=request.user,
                reason=form.cleaned_data.get("reason", ""),
            )
        except DomainError as error:
            form.show_domain_error(error)
        else:
            return redirect("wms:tablet-count-task", pk=task.pk)
    needs_reason = "reason" in form.errors or bool(form.data.get("reason"))
    return _render(request, "wms/tablet/count_task.html", {"form": form, "task": task, "needs_reason": needs_reason})


# Put away -----------------------------------------------------------------------------------


@floor_view("wms.add_stockmove")
def putaway(request):
    """What waits in the receiving bins; scanning a lot or item label picks it out."""
    waiting = putaway_queue(user=request.user, site=request.site)
    error = ""
    code = request.GET.get("code", "").strip()
    if code:
        try:
            scan = parse(code, user=request.user)
        except DomainError as exc:
            error = str(exc.message)
        else:
            if scan.kind == "bin":
                waiting = waiting.filter(bin=scan.bin)
            elif scan.lot is not None:
                waiting = waiting.filter(lot=scan.lot)
            else:
                waiting = waiting.filter(item=scan.item)
            rows = list(waiting[:2])
            if len(rows) == 1:
                return redirect(_putaway_url(rows[0]))
            if not rows:
                error = _("Nothing of %(code)s is waiting to be put away.") % {"code": code}
                waiting = putaway_queue(user=request.user, site=request.site)
    return render(
        request,
        "wms/tablet/putaway_start.html",
        {"waiting": waiting[:60], "scan_error": error},
        status=400 if error else 200,
    )


def _record_ids(params, *names) -> dict[str, int | None]:
    """Record ids named in the query string; anything but digits is a record that does not exist."""
    ids = {}
    for name in names:
        value = params.get(name, "")
        if value and not (value.isascii() and value.isdigit()):
            raise Http404
        ids[name] = int(value) if value else None
    return ids


def _putaway_url(quant) -> str:
    query = {"item": quant.item_id, "bin": quant.bin_id}
    if quant.lot_id:
        query["lot"] = quant.lot_id
    return reverse("wms:tablet-putaway-stock") + "?" + urlencode(query)


@floor_view("wms.add_stockmove")
def putaway_stock(request):
    """One stock line in receiving: the suggested bins, then scan where it went."""
    ids = _record_ids(request.GET, "item", "bin", "lot")
    rows = stock_list(user=request.user, site=request.site).filter(item_id=ids["item"], bin_id=ids["bin"])
    rows = rows.filter(lot_id=ids["lot"]) if ids["lot"] else rows.filter(lot__isnull=True)
    quant = get_object_or_404(rows)
    suggestions = suggest_putaway_bins(
        item=quant.item, quantity=quant.quantity, site=request.site, lot=quant.lot, from_bin=quant.bin
    )
    suggested = suggestions[0].bin if suggestions else None
    form = PutawayForm(request.POST or None, user=request.user, initial={"quantity": plain_quantity(quant.quantity)})
    if request.method == "POST" and form.is_valid():
        try:
            done = confirm_putaway(
                item=quant.item,
                quantity=form.cleaned_data["quantity"],
                from_bin=quant.bin,
                to_bin=form.cleaned_data["to_bin"].bin,
                user=request.user,
                lot=quant.lot,
                suggested_bin=suggested,
            )
        except DomainError as error:
            form.show_domain_error(error)
        else:
            messages.success(request, _describe_move(done))
            return redirect("wms:tablet-putaway")
    return _render(
        request,
        "wms/tablet/putaway_stock.html",
        {"form": form, "quant": quant, "suggestions": suggestions},
    )


# Pick ---------------------------------------------------------------------------------------


@floor_view("wms.add_stockmove")
def pick(request):
    """Open pick lists of the site as big buttons."""
    lists = open_pick_lists(user=request.user, site=request.site)
    return render(request, "wms/tablet/pick_start.html", {"pick_lists": lists})


PICK_FIELDS = {"scanned_bin": "bin", "scanned_lot": "lot", "picked_quantity": "quantity"}


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
                scanned_bin=data["bin"].bin,
                scanned_lot=data["lot"].lot if data.get("lot") else None,
            )
        except DomainError as error:
            form.show_domain_error(error, aliases=PICK_FIELDS)
        else:
            return redirect("wms:tablet-pick-list", pk=pick_list.pk)
    return _render(
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
