"""Forms of the warehouse desk pages. They turn typed or scanned codes into records the user may
see; the services decide everything else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.selectors.master_data import item_list, partner_list, unit_list
from wms.models import (
    AlertKind,
    AlertSeverity,
    CountStatus,
    LotStatus,
    MoveKind,
    PickListStatus,
    PickPurpose,
    ReceiptStatus,
    ZoneKind,
)
from wms.selectors.stock import bin_list, warehouse_list

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


class MoveForm(forms.Form):
    """A stock move typed at the desk: posted through the ledger like every other move."""

    kind = forms.ChoiceField(label=_("Kind"), choices=MoveKind.choices)
    item = CodeField(label=_("Item"), what=_("item"))
    lot = forms.CharField(
        label=_("Lot / serial"),
        max_length=60,
        required=False,
        help_text=_("For lot-tracked items. A receipt into a new lot code creates the lot."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    from_bin = CodeField(label=_("From bin"), what=_("bin"), required=False)
    to_bin = CodeField(label=_("To bin"), what=_("bin"), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=6, min_value=0)
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


class LotStatusForm(forms.Form):
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

    def __init__(self, *args, allowed=None, **kwargs):
        super().__init__(*args, **kwargs)
        if allowed is not None:
            self.fields["status"].choices = [(value, label) for value, label in LotStatus.choices if value in allowed]
        offered = {value for value, _label in self.fields["status"].choices}
        self.actions = [action for action in self.ACTIONS if action[0] in offered]


class StockFilterForm(forms.Form):
    GROUPS = [("item", _("By item")), ("bin", _("By bin")), ("lot", _("By lot"))]

    group = forms.ChoiceField(label=_("Group by"), choices=GROUPS, required=False, widget=forms.HiddenInput)
    item = forms.CharField(label=_("Item"), required=False)
    bin = forms.CharField(label=_("Bin"), required=False)
    lot = forms.CharField(label=_("Lot"), required=False)
    zone_kind = forms.ChoiceField(label=_("Zone kind"), choices=BLANK + list(ZoneKind.choices), required=False)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)

    def __init__(self, *args, user, site, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = warehouse_list(user=user).for_site(site) if site else warehouse_list(user=user).none()
        self.fields["warehouse"].choices = BLANK + [(w.code, str(w)) for w in warehouses]


class LotFilterForm(forms.Form):
    item = forms.CharField(label=_("Item"), required=False)
    lot = forms.CharField(label=_("Lot"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + list(LotStatus.choices), required=False)
    expires_before = _date(label=_("Expires before"), required=False)


class MoveFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + list(MoveKind.choices), required=False)
    item = forms.CharField(label=_("Item"), required=False)
    lot = forms.CharField(label=_("Lot"), required=False)
    bin = forms.CharField(label=_("Bin"), required=False)
    reference = forms.CharField(label=_("Reference"), required=False)
    date_from = _date(label=_("From"), required=False)
    date_to = _date(label=_("To"), required=False)


class BinFilterForm(forms.Form):
    code = forms.CharField(label=_("Code"), required=False)
    zone_kind = forms.ChoiceField(label=_("Zone kind"), choices=BLANK + list(ZoneKind.choices), required=False)
    blocked = forms.ChoiceField(
        label=_("Blocked"), choices=[*BLANK, ("yes", _("Blocked")), ("no", _("Not blocked"))], required=False
    )


class BinBlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + list(AlertKind.choices), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=BLANK + list(AlertSeverity.choices), required=False)
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("open", _("Open")), ("resolved", _("Resolved")), ("all", _("All"))],
        required=False,
    )


class CountFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + list(CountStatus.choices), required=False)
    item = forms.CharField(label=_("Item"), required=False)
    bin = forms.CharField(label=_("Bin"), required=False)
    due_by = _date(label=_("Due by"), required=False)


class ReceiptFilterForm(forms.Form):
    number = forms.CharField(label=_("Number"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + list(ReceiptStatus.choices), required=False)
    supplier = forms.CharField(label=_("Supplier"), required=False)
    due_by = _date(label=_("Expected by"), required=False)


class PickListFilterForm(forms.Form):
    number = forms.CharField(label=_("Number"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=BLANK + list(PickListStatus.choices), required=False)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=BLANK + list(PickPurpose.choices), required=False)
    reference = forms.CharField(label=_("Reference"), required=False)


class ReceiptForm(forms.Form):
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
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=18, decimal_places=6, min_value=0)
    unit = CodeField(label=_("Unit"), what=_("unit"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=user).filter(active=True)
        self.fields["unit"].queryset = unit_list(user=user)
        self.fields["item"].widget.attrs["list"] = "item-codes"
        self.fields["unit"].widget.attrs["size"] = 6


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


class PickListForm(forms.Form):
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
    start = _date(label=_("From"))
    end = _date(label=_("To"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end comes before the start."))
        return data
