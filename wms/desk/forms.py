"""Forms of the warehouse desk pages. They turn typed or scanned codes into records the user may
see; the services decide everything else."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DomainErrorsMixin, model_rules
from core.quantities import QuantityField, fit_to_unit
from core.selectors.master_data import item_list, partner_list, unit_list
from wms.models import (
    AdjustmentReason,
    Lot,
    LotStatus,
    MoveKind,
    PickPurpose,
)
from wms.selectors.stock import bin_list

BLANK = [("", "—")]


class CodeField(forms.CharField):
    """A record typed or scanned by its code; `queryset` (set per request, already scoped to the
    user) says which records may be named."""

    default_error_messages = {"unknown": _("No %(what)s with code %(code)s.")}

    def __init__(self, *, what, queryset=None, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)
        self.what = what
        self.queryset = queryset
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false", "class": "mono"})

    def clean(self, value):
        code = super().clean(value)
        if not code:
            return None
        record = self.queryset.filter(code=code).first()
        if record is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"what": self.what, "code": code}
            )
        return record


def _bins(user, site):
    return bin_list(user=user).for_site(site) if site is not None else bin_list(user=user).none()


def _date(**kwargs):
    return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class MoveForm(DomainErrorsMixin, forms.Form):
    """A stock move typed at the desk: posted through the ledger like every other move."""

    # Adjustments have their own page: a reason code and the approval thresholds.
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(value, label) for value, label in MoveKind.choices if value != MoveKind.ADJUSTMENT]
    )
    item = CodeField(label=_("Item"), what=_("item"))
    lot = forms.CharField(
        label=_("Lot / serial"),
        max_length=60,
        required=False,
        help_text=_("For lot-tracked items. A receipt into a new lot code creates the lot."),
        validators=model_rules(Lot, "code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    from_bin = CodeField(label=_("From bin"), what=_("bin"), required=False)
    to_bin = CodeField(label=_("To bin"), what=_("bin"), required=False)
    quantity = QuantityField(label=_("Quantity"))
    unit = CodeField(label=_("Unit"), what=_("unit"), required=False, help_text=_("Blank means the item's base unit."))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, user, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=user).filter(active=True)
        self.fields["from_bin"].queryset = _bins(user, site)
        self.fields["to_bin"].queryset = _bins(user, site)
        self.fields["unit"].queryset = unit_list(user=user)
        self.fields["item"].widget.attrs["list"] = "item-codes"
        self.fields["from_bin"].widget.attrs["list"] = "bin-codes"
        self.fields["to_bin"].widget.attrs["list"] = "bin-codes"

    def clean_lot(self):
        return self.cleaned_data["lot"].strip()

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item")
        if item is not None:
            fit_to_unit(self, "quantity", cleaned.get("unit") or item.base_unit)
        return cleaned


class LotStatusForm(DomainErrorsMixin, forms.Form):
    """Release, hold or reject a lot; the reason goes to its history. The page shows one button
    per status the lot may move to (ACTIONS, in this order)."""

    ACTIONS = [
        (LotStatus.AVAILABLE, _("Release"), "primary"),
        (LotStatus.ON_HOLD, _("Put on hold"), "secondary"),
        (LotStatus.QUARANTINE, _("Move to quarantine"), "secondary"),
        (LotStatus.REJECTED, _("Reject"), "danger"),
    ]

    status = forms.ChoiceField(label=_("New status"), choices=LotStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300)
    password = forms.CharField(
        label=_("Your password (e-signature)"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Releasing a lot from quarantine or hold is signed by quality."),
    )

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [(value, label) for value, label in LotStatus.choices if value in allowed]
        offered = {value for value, _label in self.fields["status"].choices}
        self.actions = [action for action in self.ACTIONS if action[0] in offered]


class BinBlockForm(DomainErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReceiptForm(DomainErrorsMixin, forms.Form):
    number = forms.CharField(label=_("Number"), max_length=40, required=False, help_text=_("Blank: numbered for you."))
    supplier = CodeField(label=_("Supplier"), what=_("supplier"), required=False)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("e.g. purchase order")
    )
    expected_date = _date(label=_("Expected on"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = partner_list(user=user).filter(is_supplier=True)


class ItemLineForm(forms.Form):
    """One item line of a receipt or pick list; a fully blank line is ignored."""

    item = CodeField(label=_("Item"), what=_("item"))
    quantity = QuantityField(label=_("Quantity"))
    unit = CodeField(label=_("Unit"), what=_("unit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=user).filter(active=True)
        self.fields["unit"].queryset = unit_list(user=user)
        self.fields["item"].widget.attrs["list"] = "item-codes"
        self.fields["unit"].widget.attrs["size"] = 6

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item")
        if item is not None:
            fit_to_unit(self, "quantity", cleaned.get("unit") or item.base_unit)
        return cleaned


class ReceiptLineForm(ItemLineForm):
    over_tolerance_pct = forms.DecimalField(
        label=_("Over %"), max_digits=6, decimal_places=2, min_value=0, required=False
    )
    under_tolerance_pct = forms.DecimalField(
        label=_("Under %"), max_digits=6, decimal_places=2, min_value=0, required=False
    )


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data for form in self.forms):
            raise forms.ValidationError(_("Add at least one line."))

    def lines(self) -> list[dict]:
        """The filled lines as service arguments (blank optional values left out)."""
        return [
            {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
            for form in self.forms
            if form.cleaned_data
        ]


ReceiptLineFormSet = forms.formset_factory(ReceiptLineForm, formset=BaseLineFormSet, extra=5, max_num=100)
PickLineFormSet = forms.formset_factory(ItemLineForm, formset=BaseLineFormSet, extra=5, max_num=100)


class PickListForm(DomainErrorsMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PickPurpose.choices)
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False, help_text=_("work order or sales order")
    )
    destination_bin = CodeField(label=_("Stage to bin"), what=_("bin"), required=False)
    number = forms.CharField(label=_("Number"), max_length=40, required=False, help_text=_("Blank: numbered for you."))

    def __init__(self, *args, user, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination_bin"].queryset = _bins(user, site)
        self.fields["destination_bin"].widget.attrs["list"] = "bin-codes"


class KpiPeriodForm(forms.Form):
    """A period within a century of today (the calendar arithmetic of the reports has room)."""

    REACH = timedelta(days=36525)

    start = _date(label=_("From"))
    end = _date(label=_("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        for name in ("start", "end"):
            if data.get(name) and abs(data[name] - today) > self.REACH:
                self.add_error(name, _("Choose a date within a hundred years of today."))
        if start and end and start > end:
            self.add_error("end", _("The end comes before the start."))
        return data


class AdjustmentForm(DomainErrorsMixin, forms.Form):
    """A stock correction asked for at the desk (wms.services.adjustments): posted at once within
    the warehouse's thresholds, else held for a supervisor's signed approval."""

    RAISE, LOWER = "raise", "lower"

    item = CodeField(label=_("Item"), what=_("item"))
    lot = forms.CharField(
        label=_("Lot / serial"),
        max_length=60,
        required=False,
        validators=model_rules(Lot, "code"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    bin = CodeField(label=_("Bin"), what=_("bin"))
    direction = forms.ChoiceField(
        label=_("Change"), choices=[(RAISE, _("Raise stock (found)")), (LOWER, _("Lower stock (missing)"))]
    )
    quantity = QuantityField(label=_("Quantity"), help_text=_("In the item's base unit."))
    reason_code = forms.ChoiceField(label=_("Reason"), choices=[("", "—"), *AdjustmentReason.choices])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    error_aliases = {"lot_code": "lot"}

    def __init__(self, *args, user, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=user).filter(active=True)
        self.fields["bin"].queryset = _bins(user, site)
        self.fields["item"].widget.attrs["list"] = "item-codes"
        self.fields["bin"].widget.attrs["list"] = "bin-codes"

    def clean_lot(self):
        return self.cleaned_data["lot"].strip()

    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item")
        if item is not None:
            fit_to_unit(self, "quantity", item.base_unit)
        return cleaned

    def signed_quantity(self):
        quantity = self.cleaned_data["quantity"]
        return quantity if self.cleaned_data["direction"] == self.RAISE else -quantity
