from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DomainErrorsMixin
from core.models import Site
from scheduling.models import Objective
from scheduling.services.versions import MAX_HORIZON_DAYS, MAX_TIME_LIMIT


class StartRunForm(DomainErrorsMixin, forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), to_field_name="code")
    objective = forms.ChoiceField(label=_("Objective"), choices=Objective.choices)
    time_limit_seconds = forms.IntegerField(
        label=_("Time limit (s)"), min_value=1, max_value=MAX_TIME_LIMIT, initial=30
    )
    horizon_days = forms.IntegerField(label=_("Horizon (days)"), min_value=1, max_value=MAX_HORIZON_DAYS, initial=14)

    def __init__(self, *args, user=None, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.selectors.master_data import site_list

        self.fields["site"].queryset = site_list(user=user)
        if site is not None:  # the site chosen in the top bar
            self.fields["site"].initial = site.code


class SignForm(DomainErrorsMixin, forms.Form):
    """An e-signature on a decision: the password again, and why (needed to reject)."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    reason = forms.CharField(label=_("Comment"), required=False, max_length=300)


class RescheduleForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("What changed"), max_length=300, help_text=_("A breakdown, a rush order, a late delivery…")
    )
