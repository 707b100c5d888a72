"""The warehouse dashboard and its live panels, and the KPI page."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wms.desk import forms
from wms.desk.views.base import desk, for_site
from wms.models import AlertSeverity, CountStatus
from wms.selectors import control, inbound, kpis, pages
from wms.selectors.inbound import OPEN_RECEIPT_STATUSES
from wms.selectors.stock import move_list, stock_list
from wms.services import abc

# --- dashboard -----------------------------------------------------------------------------------


@desk("wms.view_stockquant")
def dashboard(request):
    today = timezone.localdate()
    severities = dict(
        for_site(control.open_alerts(user=request.user), request)
        .values_list("severity")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = for_site(control.count_task_list(user=request.user), request)
    context = {
        "inventory_value": pages.stock_value(for_site(stock_list(user=request.user), request)),
        "open_alert_total": sum(severities.values()),
        "alerts_by_severity": [(value, label, severities.get(value, 0)) for value, label in AlertSeverity.choices],
        "receipts_due": for_site(inbound.open_expected_receipts(user=request.user), request)
        .filter(expected_date__lte=today)
        .count(),
        # The tile opens the list of exactly the receipts it counts.
        "receipts_due_query": urlencode(
            [("status", status) for status in OPEN_RECEIPT_STATUSES] + [("due_by", today.isoformat())]
        ),
        "open_pick_lists": for_site(inbound.open_pick_lists(user=request.user), request).count(),
        "counts_due": counts.filter(status=CountStatus.OPEN, due_date__lte=today).count(),
        "counts_to_approve": counts.filter(status=CountStatus.PENDING_APPROVAL).count(),
        **_dashboard_alerts(request),
        **_dashboard_moves(request),
    }
    return render(request, "wms/dashboard.html", context)


def _dashboard_alerts(request):
    return {"open_alerts": for_site(control.open_alerts(user=request.user), request)[:10]}


def _dashboard_moves(request):
    return {"moves": for_site(move_list(user=request.user), request)[:15]}


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
    form, start, end = _kpi_period(request)
    if request.site is None:
        raise PermissionDenied
    if form.is_bound and not form.is_valid():
        messages.error(request, _("Choose a valid period first."))
        return redirect("wms:kpis")
    changed = abc.apply_abc_classes(site=request.site, user=request.user, start=start, end=end)
    messages.success(request, _("ABC classes applied: %(n)s items changed class.") % {"n": changed})
    return redirect(f"{reverse('wms:kpis')}?start={start.isoformat()}&end={end.isoformat()}")
