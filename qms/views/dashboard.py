"""The quality dashboard (`/qms/`, where quality lands after signing in): first-pass yield, scrap
rate and cost per item and work centre over a period, the defect Pareto, the open holds, and the
way to the SPC status board. Reads only: every figure comes from qms/selectors/dashboard.py."""

from datetime import datetime, time, timedelta

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qms.selectors.dashboard import pareto_figure, quality_figures
from qms.views.holds import guarded

# The SPC status board (each characteristic green / amber / red) lives at this address.
SPC_BOARD_PATH = "/qms/spc/"
DEFAULT_DAYS = 30
MAX_DAYS = 366


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end comes before the start."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("end", _("Show at most %(days)s days.") % {"days": MAX_DAYS})
        return data


def _period(request, site):
    """The local dates asked for (the last 30 days by default) and their UTC bounds."""
    today = timezone.now().astimezone(site.tzinfo).date()
    default = {"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today}
    form = PeriodForm(request.GET if "start" in request.GET or "end" in request.GET else default)
    if form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        first, last = default["start"], default["end"]
    start = datetime.combine(first, time.min, tzinfo=site.tzinfo)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=site.tzinfo)
    return form, first, last, start, end


@guarded
def dashboard(request):
    site = request.site
    form, first, last, start, end = _period(request, site)
    figures = quality_figures(user=request.user, site=site, start=start, end=end)
    context = {
        "form": form,
        "first": first,
        "last": last,
        "currency": site.company.base_currency.code,
        "pareto_chart": pareto_figure(figures["pareto"]) if figures["pareto"] else None,
        "spc_board": SPC_BOARD_PATH,
        **figures,
    }
    return render(request, "qms/qhold/dashboard.html", context, status=400 if form.errors else 200)
