"""Forms of the quality pages: they translate input into a service call, nothing more."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qms.models import Stage


class SpcBoardFilter(forms.Form):
    item = forms.CharField(label=_("item"), required=False, max_length=40)
    work_centre = forms.CharField(label=_("work centre"), required=False, max_length=40)
    stage = forms.ChoiceField(label=_("stage"), required=False, choices=[("", _("every stage")), *Stage.choices])


class ChartRangeForm(forms.Form):
    last = forms.IntegerField(label=_("last subgroups"), required=False, min_value=2, max_value=5000)
    start = forms.DateTimeField(label=_("from"), required=False)
    end = forms.DateTimeField(label=_("to"), required=False)


class ControlLimitsForm(forms.Form):
    first_subgroup = forms.CharField(label=_("first baseline subgroup"), max_length=60)
    last_subgroup = forms.CharField(label=_("last baseline subgroup"), max_length=60)
    reason = forms.CharField(label=_("reason"), required=False, max_length=300)
    password = forms.CharField(label=_("your password (e-signature)"), widget=forms.PasswordInput)
