"""The warehouse desk pages (supervisors, planners, quality engineers, warehouse leads).

Views only translate: filters and forms into selector and service calls, results into pages.
Lists show the user's current site (`request.site`); a record of a site the user does not work
at answers 404.
"""

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, SignatureInvalid
from core.forms import SignatureForm
from core.selectors.master_data import item_list
from wms import forms
from wms.models import AlertSeverity, CountStatus
from wms.quantities import plain_quantity
from wms.selectors import control, inbound, kpis, pages
from wms.selectors.stock import bin_list, lot_list, move_list, on_hand_quantity, stock_list, summarise_by_item
from wms.services import abc, alerts, counting, ledger, locations, picking, receiving
from wms.services import lots as lot_services

PAGE_SIZE = 50


def desk(perm):
    """Signed-in users with `perm` only: anonymous users go to the login page, others get 403."""

    def decorate(view):
        guarded = login_required(permission_required(perm, raise_exception=True)(view))
        return wraps(view)(guarded)

    return decorate


def _page(request, rows, size=PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _filters(form_class, request, **kwargs):
    """A bound filter form and its cleaned values (blank ones when the input is invalid)."""
    form = form_class(request.GET or None, **kwargs)
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, values


def _for_site(rows, request):
    return rows.for_site(request.site) if request.site is not None else rows.none()


def _apply_domain_error(form, error: DomainError) -> None:
    """A refused service call shows on the field it names, else above the form."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


# --- stock ---------------------------------------------------------------------------------------


@desk("wms.view_stockquant")
def stock(request):
    form, f = _filters(forms.StockFilterForm, request, user=request.user, site=request.site)
    group = f.get("group") or "item"
    rows = pages.filtered_stock(
        user=request.user,
        site=request.site,
        item=f.get("item", ""),
        bin=f.get("bin", ""),
        lot=f.get("lot", ""),
        zone_kind=f.get("zone_kind", ""),
        warehouse=f.get("warehouse", ""),
    )
    total_value = pages.stock_value(rows)
    if group == "item":
        listing = summarise_by_item(rows)
    elif group == "bin":
        listing = rows.order_by("bin__warehouse__code", "bin__pick_sequence", "bin__code", "item__code")
    else:
        listing = rows.filter(lot__isnull=False).order_by("lot__expiry", "item__code", "lot__code", "bin__code")
    return render(
        request,
        "wms/stock.html",
        {"form": form, "group": group, "page_obj": _page(request, listing), "total_value": total_value},
    )


@desk("wms.view_stockquant")
def item_stock(request, code):
    """Where one item is: bins, lots, expiry and status, and its latest moves."""
    item = get_object_or_404(item_list(user=request.user), code=code)
    rows = _for_site(stock_list(user=request.user), request).filter(item=item)
    rows = rows.order_by("lot__expiry", "lot__code", "bin__code")
    total = sum((row.quantity for row in rows), start=0)
    moves = _for_site(move_list(user=request.user), request).filter(item=item)[:20]
    return render(
        request,
        "wms/item_stock.html",
        {"item": item, "rows": rows, "total": total, "value": pages.stock_value(rows), "moves": moves},
    )


# --- lots ----------------------------------------------------------------------------------------


@desk("wms.view_lot")
def lot_list_view(request):
    form, f = _filters(forms.LotFilterForm, request)
    lots = _for_site(lot_list(user=request.user), request)
    if f.get("item"):
        lots = lots.filter(item__code__iexact=f["item"])
    if f.get("lot"):
        lots = lots.filter(Q(code__icontains=f["lot"]) | Q(supplier_lot__icontains=f["lot"]))
    if f.get("status"):
        lots = lots.filter(status=f["status"])
    if f.get("expires_before"):
        lots = lots.filter(expiry__lt=f["expires_before"])
    return render(request, "wms/lot_list.html", {"form": form, "page_obj": _page(request, lots)})


@desk("wms.view_lot")
def lot_detail(request, pk):
    lot = get_object_or_404(lot_list(user=request.user), pk=pk)
    allowed = lot_services.TRANSITIONS.get(lot.status, set())
    status_form = forms.LotStatusForm(allowed=allowed)
    if request.method == "POST":
        if not request.user.has_perm("wms.change_lot"):
            raise PermissionDenied
        status_form = forms.LotStatusForm(request.POST, allowed=allowed)
        if status_form.is_valid():
            try:
                lot = lot_services.change_lot_status(
                    lot=lot,
                    status=status_form.cleaned_data["status"],
                    user=request.user,
                    reason=status_form.cleaned_data["reason"],
                )
            except DomainError as error:
                _apply_domain_error(status_form, error)
            else:
                messages.success(
                    request, _("Lot %(lot)s is now %(status)s.") % {"lot": lot.code, "status": lot.get_status_display()}
                )
                return redirect("wms:lot-detail", pk=lot.pk)
    stock_rows = stock_list(user=request.user, lot=lot).order_by("bin__code")
    moves = move_list(user=request.user).filter(lot=lot)[:50]
    return render(
        request,
        "wms/lot_detail.html",
        {
            "lot": lot,
            "stock_rows": stock_rows,
            "moves": moves,
            "status_form": status_form,
            "can_change": request.user.has_perm("wms.change_lot") and bool(status_form.actions),
        },
    )


# --- moves ---------------------------------------------------------------------------------------


@desk("wms.view_stockmove")
def move_list_view(request):
    form, f = _filters(forms.MoveFilterForm, request)
    moves = _for_site(move_list(user=request.user), request)
    if f.get("kind"):
        moves = moves.filter(kind=f["kind"])
    if f.get("item"):
        moves = moves.filter(item__code__iexact=f["item"])
    if f.get("lot"):
        moves = moves.filter(lot__code__iexact=f["lot"])
    if f.get("bin"):
        moves = moves.filter(Q(from_bin__code__iexact=f["bin"]) | Q(to_bin__code__iexact=f["bin"]))
    if f.get("reference"):
        moves = moves.filter(reference__icontains=f["reference"])
    if f.get("date_from"):
        moves = moves.filter(created_at__date__gte=f["date_from"])
    if f.get("date_to"):
        moves = moves.filter(created_at__date__lte=f["date_to"])
    return render(request, "wms/move_list.html", {"form": form, "page_obj": _page(request, moves)})


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
        except DomainError as error:
            _apply_domain_error(form, error)
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
    return render(request, "wms/move_form.html", {"form": form, **_code_lists(request)})


def _code_lists(request):
    """Codes offered as type-ahead suggestions on desk forms."""
    return {
        "bin_codes": _for_site(bin_list(user=request.user), request).values_list("code", flat=True)[:1000],
        "item_codes": item_list(user=request.user).filter(active=True).values_list("code", "name")[:1000],
    }


# --- bins ----------------------------------------------------------------------------------------


@desk("wms.view_bin")
def bin_list_view(request):
    form, f = _filters(forms.BinFilterForm, request)
    bins = _for_site(bin_list(user=request.user), request)
    if f.get("code"):
        bins = bins.filter(code__icontains=f["code"])
    if f.get("zone_kind"):
        bins = bins.filter(zone__kind=f["zone_kind"])
    if f.get("blocked") == "yes":
        bins = bins.filter(blocked=True)
    elif f.get("blocked") == "no":
        bins = bins.filter(blocked=False)
    page_obj = _page(request, bins)
    loads = pages.bin_loads(user=request.user, site=request.site)
    usage = {}
    if request.site is not None:
        frame = kpis.bin_utilisation(user=request.user, site=request.site)
        usage = dict(zip(frame["bin"], frame["utilisation_pct"], strict=True))
    for bin_ in page_obj:
        bin_.load = loads.get(bin_.pk)
        bin_.utilisation_pct = usage.get(bin_.code)
    return render(request, "wms/bin_list.html", {"form": form, "page_obj": page_obj})


@desk("wms.view_bin")
def bin_detail(request, pk):
    bin_ = get_object_or_404(bin_list(user=request.user), pk=pk)
    block_form = forms.BinBlockForm()
    if request.method == "POST":
        if not request.user.has_perm("wms.change_bin"):
            raise PermissionDenied
        block_form = forms.BinBlockForm(request.POST)
        if block_form.is_valid():
            reason = block_form.cleaned_data["reason"]
            try:
                if "unblock" in request.POST:
                    bin_ = locations.unblock_bin(bin=bin_, user=request.user, reason=reason)
                    messages.success(request, _("Bin %(bin)s is open again.") % {"bin": bin_.code})
                else:
                    bin_ = locations.block_bin(bin=bin_, user=request.user, reason=reason)
                    messages.success(request, _("Bin %(bin)s is blocked.") % {"bin": bin_.code})
            except DomainError as error:
                _apply_domain_error(block_form, error)
            else:
                return redirect("wms:bin-detail", pk=bin_.pk)
    rows = stock_list(user=request.user, bin=bin_).order_by("item__code", "lot__code")
    moves = pages.moves_touching_bin(user=request.user, bin=bin_)[:30]
    return render(
        request,
        "wms/bin_detail.html",
        {
            "bin": bin_,
            "rows": rows,
            "value": pages.stock_value(rows),
            "moves": moves,
            "block_form": block_form,
            "can_change": request.user.has_perm("wms.change_bin"),
        },
    )


# --- expected receipts ---------------------------------------------------------------------------


@desk("wms.view_expectedreceipt")
def receipt_list(request):
    form, f = _filters(forms.ReceiptFilterForm, request)
    receipts = _for_site(inbound.expected_receipt_list(user=request.user), request).order_by(
        "-expected_date", "-number"
    )
    if f.get("number"):
        receipts = receipts.filter(number__icontains=f["number"])
    if f.get("status"):
        receipts = receipts.filter(status=f["status"])
    if f.get("supplier"):
        receipts = receipts.filter(supplier__code__iexact=f["supplier"])
    if f.get("due_by"):
        receipts = receipts.filter(expected_date__lte=f["due_by"])
    return render(request, "wms/receipt_list.html", {"form": form, "page_obj": _page(request, receipts)})


@desk("wms.view_expectedreceipt")
def receipt_detail(request, pk):
    receipt = get_object_or_404(inbound.expected_receipt_list(user=request.user), pk=pk)
    moves = _for_site(move_list(user=request.user), request).filter(kind="receipt", reference=receipt.number)[:50]
    return render(request, "wms/receipt_detail.html", {"receipt": receipt, "moves": moves})


@desk("wms.add_expectedreceipt")
def receipt_create(request):
    """Announce a delivery with its item lines."""
    data = request.POST or None
    form = forms.ReceiptForm(data, user=request.user)
    lines = forms.ReceiptLineFormSet(data, prefix="lines", form_kwargs={"user": request.user})
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            receipt = receiving.create_expected_receipt(
                site=request.site,
                number=form.cleaned_data["number"],
                supplier=form.cleaned_data["supplier"],
                reference=form.cleaned_data["reference"],
                expected_date=form.cleaned_data["expected_date"],
                lines=lines.lines(),
                user=request.user,
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("Expected receipt %(number)s created.") % {"number": receipt.number})
            return redirect("wms:receipt-detail", pk=receipt.pk)
    return render(request, "wms/receipt_form.html", {"form": form, "lines": lines, **_code_lists(request)})


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


# --- pick lists ----------------------------------------------------------------------------------


@desk("wms.view_picklist")
def picklist_list(request):
    form, f = _filters(forms.PickListFilterForm, request)
    lists = _for_site(inbound.pick_list_list(user=request.user), request)
    if f.get("number"):
        lists = lists.filter(number__icontains=f["number"])
    if f.get("status"):
        lists = lists.filter(status=f["status"])
    if f.get("purpose"):
        lists = lists.filter(purpose=f["purpose"])
    if f.get("reference"):
        lists = lists.filter(reference__icontains=f["reference"])
    return render(request, "wms/picklist_list.html", {"form": form, "page_obj": _page(request, lists)})


@desk("wms.view_picklist")
def picklist_detail(request, pk):
    pick_list = get_object_or_404(inbound.pick_list_list(user=request.user), pk=pk)
    return render(request, "wms/picklist_detail.html", {"pick_list": pick_list, "lines": pick_list.lines.all()})


@desk("wms.add_picklist")
def picklist_create(request):
    """Allocate item lines from usable stock (FEFO) into a pick list."""
    data = request.POST or None
    form = forms.PickListForm(data, user=request.user, site=request.site)
    lines = forms.PickLineFormSet(data, prefix="lines", form_kwargs={"user": request.user})
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            pick_list = picking.create_pick_list(
                site=request.site,
                purpose=form.cleaned_data["purpose"],
                reference=form.cleaned_data["reference"],
                destination_bin=form.cleaned_data["destination_bin"],
                number=form.cleaned_data["number"],
                lines=lines.lines(),
                user=request.user,
            )
        except DomainError as error:
            _apply_domain_error(form, error)
        else:
            messages.success(request, _("Pick list %(number)s created.") % {"number": pick_list.number})
            return redirect("wms:picklist-detail", pk=pick_list.pk)
    return render(request, "wms/picklist_form.html", {"form": form, "lines": lines, **_code_lists(request)})


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


# --- counts --------------------------------------------------------------------------------------


@desk("wms.view_counttask")
def count_list(request):
    form, f = _filters(forms.CountFilterForm, request)
    tasks = _for_site(control.count_task_list(user=request.user), request)
    if f.get("status"):
        tasks = tasks.filter(status=f["status"])
    if f.get("item"):
        tasks = tasks.filter(item__code__iexact=f["item"])
    if f.get("bin"):
        tasks = tasks.filter(bin__code__iexact=f["bin"])
    if f.get("due_by"):
        tasks = tasks.filter(due_date__lte=f["due_by"])
    by_status = dict(
        _for_site(control.count_task_list(user=request.user), request)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return render(
        request,
        "wms/count_list.html",
        {
            "form": form,
            "page_obj": _page(request, tasks),
            "status_cards": [(value, label, by_status.get(value, 0)) for value, label in CountStatus.choices],
        },
    )


@desk("wms.add_counttask")
@require_POST
def count_generate(request):
    """Create today's cycle-count tasks for the current site (by ABC class intervals)."""
    if request.site is None:
        raise PermissionDenied
    created = counting.generate_count_tasks(site=request.site, user=request.user)
    if created:
        messages.success(request, _("%(n)s count tasks created.") % {"n": len(created)})
    else:
        messages.info(request, _("No count is due: nothing was created."))
    return redirect("wms:count-list")


@desk("wms.view_counttask")
def count_detail(request, pk):
    task = get_object_or_404(control.count_task_list(user=request.user), pk=pk)
    return render(
        request,
        "wms/count_detail.html",
        {"task": task, "can_approve": _may_approve(request.user, task)},
    )


def _may_approve(user, task) -> bool:
    return (
        task.status == CountStatus.PENDING_APPROVAL
        and user.has_perm("wms.change_counttask")
        and user.has_role(*counting.APPROVER_ROLES)
    )


@desk("wms.change_counttask")
def count_approve(request, pk):
    """Approve (book) or reject (recount) a large variance, signed with the password."""
    task = get_object_or_404(control.count_task_list(user=request.user), pk=pk)
    if not _may_approve(request.user, task):
        messages.error(request, _("This count is not waiting for your approval."))
        return redirect("wms:count-detail", pk=task.pk)
    form = SignatureForm(request.POST or None, user=request.user, meanings=["approved", "rejected"])
    if request.method == "POST" and form.is_valid():
        data = form.signature_data()
        try:
            if data["meaning"] == "approved":
                task = counting.approve_count(
                    task=task, user=request.user, password=data["password"], reason=data["reason"]
                )
                messages.success(request, _("Count approved and booked."))
            else:
                task = counting.reject_count(
                    task=task, user=request.user, password=data["password"], reason=data["reason"]
                )
                messages.success(request, _("Count rejected; a recount task was created."))
        except SignatureInvalid as error:
            form.add_error("password", str(error.message))
        except DomainError as error:
            field = {"reason": "comment", "password": "password"}.get(error.field)
            form.add_error(field, str(error.message))
        else:
            return redirect("wms:count-detail", pk=task.pk)
    on_hand = on_hand_quantity(user=request.user, item=task.item, lot=task.lot, bin=task.bin)
    return render(request, "wms/count_approve.html", {"task": task, "form": form, "on_hand": on_hand})


# --- alerts --------------------------------------------------------------------------------------


@desk("wms.view_inventoryalert")
def alert_list(request):
    form, f = _filters(forms.AlertFilterForm, request)
    rows = _for_site(control.alert_list(user=request.user), request)
    state = f.get("state") or "open"
    if state == "open":
        rows = rows.filter(resolved_at__isnull=True)
    elif state == "resolved":
        rows = rows.filter(resolved_at__isnull=False)
    if f.get("kind"):
        rows = rows.filter(kind=f["kind"])
    if f.get("severity"):
        rows = rows.filter(severity=f["severity"])
    return render(request, "wms/alert_list.html", {"form": form, "page_obj": _page(request, rows)})


@desk("wms.change_inventoryalert")
@require_POST
def alert_evaluate(request):
    """Check the current site's stock for alert conditions now instead of at the next run."""
    if request.site is None:
        raise PermissionDenied
    result = alerts.evaluate_alerts(site=request.site)
    messages.success(
        request,
        _("Alerts checked: %(raised)s raised, %(resolved)s resolved, %(open)s open.") % result,
    )
    return redirect("wms:alert-list")


# --- dashboard -----------------------------------------------------------------------------------


@desk("wms.view_stockquant")
def dashboard(request):
    today = timezone.localdate()
    severities = dict(
        _for_site(control.open_alerts(user=request.user), request)
        .values_list("severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = _for_site(control.count_task_list(user=request.user), request)
    context = {
        "inventory_value": pages.stock_value(_for_site(stock_list(user=request.user), request)),
        "open_alert_total": sum(severities.values()),
        "alerts_by_severity": [(value, label, severities.get(value, 0)) for value, label in AlertSeverity.choices],
        "receipts_due": _for_site(inbound.open_expected_receipts(user=request.user), request)
        .filter(expected_date__lte=today)
        .count(),
        "open_pick_lists": _for_site(inbound.open_pick_lists(user=request.user), request).count(),
        "counts_due": counts.filter(status=CountStatus.OPEN, due_date__lte=today).count(),
        "counts_to_approve": counts.filter(status=CountStatus.PENDING_APPROVAL).count(),
        **_dashboard_alerts(request),
        **_dashboard_moves(request),
    }
    return render(request, "wms/dashboard.html", context)


def _dashboard_alerts(request):
    return {"open_alerts": _for_site(control.open_alerts(user=request.user), request)[:10]}


def _dashboard_moves(request):
    return {"moves": _for_site(move_list(user=request.user), request)[:15]}


@desk("wms.view_stockquant")
def dashboard_alerts(request):
    """The dashboard's open-alerts panel, re-fetched when a warehouse event arrives."""
    return render(request, "wms/_dashboard_alerts.html", _dashboard_alerts(request))


@desk("wms.view_stockquant")
def dashboard_moves(request):
    """The dashboard's recent-moves panel, re-fetched when a warehouse event arrives."""
    return render(request, "wms/_dashboard_moves.html", _dashboard_moves(request))


# --- KPIs ----------------------------------------------------------------------------------------

KPI_DEFAULT_DAYS = 90


def _kpi_period(request):
    """The period typed on the KPI page, else the last 90 days (site time)."""
    today = timezone.localdate()
    default = {"start": today - timedelta(days=KPI_DEFAULT_DAYS - 1), "end": today}
    form = forms.KpiPeriodForm(request.POST or request.GET or None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default["start"], default["end"]


@desk("wms.view_stockquant")
def kpi_page(request):
    """Inventory value, turnover and days of supply, bin utilisation and ABC by usage."""
    form, start, end = _kpi_period(request)
    site = request.site
    if site is None:
        raise PermissionDenied
    context = {
        "form": form,
        "start": start,
        "end": end,
        "value_by_warehouse": _records(kpis.inventory_value(user=request.user, site=site, group_by="warehouse")),
        "turnover": _records(kpis.turnover(user=request.user, site=site, start=start, end=end).head(50)),
        "utilisation": _records(kpis.bin_utilisation(user=request.user, site=site, group_by="zone")),
        "abc": _records(kpis.abc_from_usage(user=request.user, site=site, start=start, end=end)),
        "charts": kpis.kpi_figures(user=request.user, site=site, start=start, end=end),
        "can_apply_abc": request.user.has_perm("core.change_item"),
    }
    context["abc_changes"] = sum(1 for row in context["abc"] if row["proposed_class"] != row["current_class"])
    return render(request, "wms/kpis.html", context)


def _records(frame) -> list[dict]:
    return frame.to_dict("records")


@desk("core.change_item")
@require_POST
def kpi_apply_abc(request):
    """Give every item the ABC class its usage over the chosen period proposes."""
    _form, start, end = _kpi_period(request)
    if request.site is None:
        raise PermissionDenied
    changed = abc.apply_abc_classes(site=request.site, user=request.user, start=start, end=end)
    messages.success(request, _("ABC classes applied: %(n)s items changed class.") % {"n": changed})
    return redirect(f"{reverse('wms:kpis')}?start={start.isoformat()}&end={end.isoformat()}")
