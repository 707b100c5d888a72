"""SPC pages: the status board (one tile per characteristic and site, green / amber / red) and
the chart page of one characteristic at a site (control and R/S/MR charts with zones and
violations, the rule list, capability, and the phase II limits quality sets from a baseline)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.models import Site
from core.scoping import user_site_ids
from qms.forms import ChartRangeForm, ControlLimitsForm, SpcBoardFilter
from qms.models import Characteristic
from qms.selectors import spc as selectors
from qms.services import spc_charts
from qms.services.spc import RULE_LABELS
from qms.views import spcview_figures as figures

VIEW = "qms.view_characteristic"

REASON_LABELS = {
    "rule_1": gettext_lazy("a point beyond the control limits"),
    "out_of_spec": gettext_lazy("out of specification"),
    "cpk_low": gettext_lazy("Cpk below 1.00"),
    "cpk_marginal": gettext_lazy("Cpk below 1.33"),
    "rules": gettext_lazy("a run or trend rule broken"),
    "alert": gettext_lazy("an open SPC alert"),
}


def _site_for(request, code: str | None):
    """The site named by `?site=` among the user's, else the current one."""
    sites = Site.objects.all()
    allowed = user_site_ids(request.user)
    if allowed is not None:
        sites = sites.filter(pk__in=allowed)
    if code:
        return get_object_or_404(sites, code=code)
    if request.site is not None:
        return request.site
    site = sites.order_by("code").first()
    if site is None:
        raise Site.DoesNotExist
    return site


TILE = (
    '<li class="spc-tile spc-{}" data-colour="{}"><a href="{}{}/?site={}">'
    '<span class="spc-code mono">{} · {}</span><span class="spc-name">{}</span>'
    '<span class="spc-meta">{}</span><span class="spc-figures">{}</span></a></li>'
)


def _tiles(rows) -> str:
    """The board's tiles as HTML, built with `format_html` rather than a template loop: the
    board shows hundreds of them and must answer in well under 300 ms."""
    prefix = reverse("qms:spc-board")
    reasons = {key: str(label) for key, label in REASON_LABELS.items()}

    def tile(row):
        meta = " · ".join(
            part for part in (row["site__code"], row["work_centre__code"], str(row["stage_label"])) if part
        )
        figures = f"Cpk {number_format(row['cpk'], 2)}" if row["cpk"] is not None else str(row["chart_label"])
        why = ", ".join(reasons[r] for r in row["reasons"] if r in reasons)
        return (
            row["colour"],
            row["colour"],
            prefix,
            row["characteristic"],
            row["site__code"],
            row["characteristic__item__code"],
            row["characteristic__code"],
            row["characteristic__name"],
            meta,
            f"{figures} · {why}" if why else figures,
        )

    return format_html_join("\n", TILE, (tile(row) for row in rows))


@login_required
@permission_required(VIEW, raise_exception=True)
def spc_board(request):
    """Every active characteristic of the user's sites with its colour; one tap opens the chart."""
    form = SpcBoardFilter(request.GET or None)
    choice = form.cleaned_data if form.is_valid() else {}
    rows = selectors.board_rows(
        user=request.user,
        item=choice.get("item") or None,
        work_centre=choice.get("work_centre") or None,
        stage=choice.get("stage") or None,
    )
    counts = {colour: sum(1 for row in rows if row["colour"] == colour) for colour in ("red", "amber", "green", "none")}
    # One page: the board shows every tile; the filter bar shows the count.
    page = Paginator(rows, max(len(rows), 1)).page(1)
    context = {
        "form": form,
        "rows": rows,
        "spc_counts": counts,
        "page_obj": page,
        "tiles": _tiles(rows),
    }
    return render(request, "qms/spcview/board.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def spc_chart(request, pk: int):
    """The charts of one characteristic at one site, and the form that fixes phase II limits."""
    characteristic = get_object_or_404(Characteristic.objects.select_related("item", "unit"), pk=pk)
    site = _site_for(request, request.GET.get("site"))
    limits_form = ControlLimitsForm(request.POST or None)
    if request.method == "POST" and limits_form.is_valid():
        data = limits_form.cleaned_data
        try:
            spc_charts.set_control_limits(
                characteristic=characteristic,
                site=site,
                user=request.user,
                password=data["password"],
                first_subgroup=data["first_subgroup"],
                last_subgroup=data["last_subgroup"],
                reason=data["reason"],
            )
        except DomainError as error:
            field = getattr(error, "field", None)
            limits_form.add_error(field if field in limits_form.fields else None, error.message)
        else:
            messages.success(request, _("Phase II limits set from the baseline."))
            return redirect(f"{reverse('qms:spc-chart', args=[characteristic.pk])}?site={site.code}")
    range_form = ChartRangeForm(request.GET or None)
    bounds = range_form.cleaned_data if range_form.is_valid() else {}
    error = None
    chart = None
    try:
        chart = spc_charts.chart_measurements(
            characteristic=characteristic,
            site=site,
            last=bounds.get("last"),
            start=bounds.get("start"),
            end=bounds.get("end"),
        )
    except DomainError as failure:
        error = failure.message
    context = {
        "characteristic": characteristic,
        "site": site,
        "chart": chart,
        "error": error,
        "range_form": range_form,
        "limits_form": limits_form,
        "may_set_limits": request.user.has_role("quality", "admin"),
        "history": selectors.limits_history(characteristic=characteristic, site=site)[:10],
    }
    if chart is not None and chart.result is not None:
        result = chart.result
        labels = [str(label) for label in result.labels]
        context.update(
            control=figures.control_figure(chart),
            secondary=figures.secondary_figure(chart),
            histogram=figures.histogram_figure(chart),
            violations=[
                {
                    "rule": v["rule"],
                    "text": RULE_LABELS[v["rule"]],
                    "subgroup": labels[v["subgroup"] - 1],
                    "at": chart.firsts[v["subgroup"] - 1],
                    "value": float(result.points[v["subgroup"] - 1]),
                }
                for v in reversed(result.violations)
            ],
            rules=[{"rule": r, "text": RULE_LABELS[r], "checked": r in result.rules} for r in RULE_LABELS],
            capability=result.capability,
            first_label=labels[0],
            last_label=labels[-1],
        )
        if request.method != "POST":
            limits_form = ControlLimitsForm(initial={"first_subgroup": labels[0], "last_subgroup": labels[-1]})
            context["limits_form"] = limits_form
    return render(request, "qms/spcview/chart.html", context)
