"""Desk pages of stock history: stock on a past date (from the ledger) and stock ageing by lot."""

from django.utils import timezone
from django.utils.translation import gettext as _

from wms.desk import columns
from wms.desk.history_forms import AgeingForm, StockAsOfForm
from wms.desk.views.base import desk, render_list
from wms.selectors import history


@desk("wms.view_stockmove")
def stock_as_of(request):
    """What was on hand at a moment: by item, bin and lot, with its value at today's standard cost."""
    data = request.GET.copy()
    if "as_of" not in data:
        data["as_of"] = timezone.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    form = StockAsOfForm(data, user=request.user, site=request.site)
    rows = []
    if form.is_valid() and request.site is not None:
        rows = history.stock_as_of(
            user=request.user,
            at=form.cleaned_data["as_of"],
            site=request.site,
            item=form.cleaned_data["item"],
            bin=form.cleaned_data["bin"],
            lot_code=form.cleaned_data["lot"],
        )
    total_value = sum((row["value"] for row in rows), start=0)
    status = 200 if form.is_valid() else 400
    response = render_list(
        request,
        "wms/stock_as_of.html",
        rows,
        columns=columns.STOCK_AS_OF,
        title=_("Stock on a date"),
        form=form,
        total_value=total_value,
        moment=form.cleaned_data.get("as_of") if form.is_valid() else None,
    )
    response.status_code = status if response.status_code == 200 else response.status_code
    return response


@desk("wms.view_stockquant")
def stock_ageing(request):
    """Today's stock of each lot by the time since it was received, in age buckets."""
    form = AgeingForm(request.GET or None, user=request.user)
    item = form.cleaned_data["item"] if form.is_bound and form.is_valid() else None
    result = (
        history.stock_ageing(user=request.user, site=request.site, item=item)
        if request.site is not None
        else {"rows": [], "buckets": []}
    )
    return render_list(
        request,
        "wms/stock_ageing.html",
        result["rows"],
        columns=columns.AGEING,
        title=_("Stock ageing"),
        form=form,
        buckets=result["buckets"],
    )
