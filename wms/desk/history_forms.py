"""The question of the stock-history pages: which moment, which item, bin or lot."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.selectors.master_data import item_list
from wms.desk.forms import CodeField
from wms.selectors.stock import bin_list


class StockAsOfForm(forms.Form):
    as_of = forms.DateTimeField(
        label=_("Stock at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 60}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    item = CodeField(what=_("item"), label=_("Item"), required=False)
    bin = CodeField(what=_("bin"), label=_("Bin"), required=False)
    lot = forms.CharField(label=_("Lot"), required=False, max_length=60)

    def __init__(self, *args, user, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=user)
        bins = bin_list(user=user)
        self.fields["bin"].queryset = bins.filter(warehouse__site=site) if site is not None else bins.none()

    def clean_as_of(self):
        moment = self.cleaned_data["as_of"]
        if moment > timezone.now():
            raise forms.ValidationError(_("Choose a moment that has passed."))
        return moment

    def clean_lot(self):
        code = self.cleaned_data["lot"].strip()
        if code and not code.isprintable():
            raise forms.ValidationError(_("This code is not one of ours."))
        return code


class AgeingForm(forms.Form):
    item = CodeField(what=_("item"), label=_("Item"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=user)
