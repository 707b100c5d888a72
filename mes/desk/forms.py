"""Pickers of the OEE and KPI pages: a scope, a period and a range of local days."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# At most this many days per page: a year of shifts for one site stays quick to compute.
MAX_DAYS = 366


class _RangeForm(forms.Form):
    first = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                self.add_error("last", _("The end comes before the start."))
            elif (last - first).days >= MAX_DAYS:
                self.add_error("last", _("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        return data


class OEEForm(_RangeForm):
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[("equipment", _("Equipment")), ("work_centre", _("Work centre")), ("site", _("Site"))],
        initial="work_centre",
    )
    period = forms.ChoiceField(label=_("Period"), choices=[("day", _("Day")), ("shift", _("Shift"))], initial="day")
    work_centre = forms.ChoiceField(label=_("Work centre"), required=False)

    def __init__(self, *args, work_centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["work_centre"].choices = [("", _("All"))] + [(c.code, str(c)) for c in work_centres]


class KPIForm(_RangeForm):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
        initial="week",
    )


def bound_or_default(form_class, data, *, days: int, **kwargs):
    """The form bound to `data` when it has any of its fields, else to the default range (the
    last `days` local days); returns (form, cleaned data or the defaults when invalid)."""
    today = timezone.localdate()
    defaults = {"first": today - timedelta(days=days - 1), "last": today}
    for name, field in form_class.base_fields.items():
        if name not in defaults and field.initial is not None:
            defaults[name] = field.initial
    if not any(name in data for name in form_class.base_fields):
        data = defaults
    form = form_class(data, **kwargs)
    if form.is_valid():
        return form, form.cleaned_data
    return form, defaults | {"work_centre": ""}
