"""The desk's filter bars are the API's FilterSets (`wms.api.filters`), so a list filters the same
way on the page and over REST. The desk leaves out what the page sets itself (the site: always the
current one) and what its filter bar has no room for."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from wms.api import filters as api


class StockFilterForm(forms.Form):
    """Keeps the chosen grouping across filtering."""

    GROUPS = [("item", _("By item")), ("bin", _("By bin")), ("lot", _("By lot"))]
    group = forms.ChoiceField(label=_("Group by"), choices=GROUPS, required=False, widget=forms.HiddenInput)


LABELS = {
    "item": _("Item"),
    "bin": _("Bin"),
    "lot": _("Lot"),
    "code": _("Code"),
    "lot_status": _("Lot status"),
    "zone_kind": _("Zone kind"),
    "zone": _("Zone"),
    "warehouse": _("Warehouse"),
    "supplier_lot": _("Supplier lot"),
    "expiry_before": _("Expires by"),
    "user": _("User"),
    "date_from": _("From"),
    "date_to": _("To"),
    "due_before": _("Due by"),
    "supplier": _("Supplier"),
    "open": _("Open"),
}


class StockFilter(api.StockFilter):
    site = None

    class Meta(api.StockFilter.Meta):
        fields = ["item", "bin", "lot", "lot_status", "zone_kind", "warehouse"]
        form = StockFilterForm

    def filter_queryset(self, queryset):
        # The grouping is the page's layout, not a filter.
        self.form.cleaned_data.pop("group", None)
        return super().filter_queryset(queryset)


class LotFilter(api.LotFilter):
    site = None
    supplier = None
    expiry_after = None

    class Meta(api.LotFilter.Meta):
        fields = ["item", "code", "supplier_lot", "status", "expiry_before"]


class MoveFilter(api.StockMoveFilter):
    site = None
    from_bin = None
    to_bin = None
    created_after = None
    created_before = None

    class Meta(api.StockMoveFilter.Meta):
        fields = ["kind", "item", "lot", "bin", "reference", "user", "date_from", "date_to"]


class BinFilter(api.BinFilter):
    site = None

    class Meta(api.BinFilter.Meta):
        fields = ["code", "warehouse", "zone", "zone_kind", "aisle", "blocked"]


class CountFilter(api.CountTaskFilter):
    site = None

    class Meta(api.CountTaskFilter.Meta):
        fields = ["status", "item", "bin", "lot", "warehouse", "due_before"]


class AlertFilter(api.InventoryAlertFilter):
    site = None

    class Meta(api.InventoryAlertFilter.Meta):
        fields = ["open", "kind", "severity", "item", "lot", "bin"]


class ReceiptFilter(api.ExpectedReceiptFilter):
    site = None
    due_by = django_filters.DateFilter(field_name="expected_date", lookup_expr="lte", label=_("Expected by"))

    class Meta(api.ExpectedReceiptFilter.Meta):
        fields = ["number", "status", "supplier", "item", "reference", "due_by"]


class PickListFilter(api.PickListFilter):
    site = None

    class Meta(api.PickListFilter.Meta):
        fields = ["number", "status", "purpose", "reference", "item"]


class OneOfMany(forms.Select):
    """A one-line choice for a filter that takes several values (`?kind=receipt&kind=issue` in the
    API): the filter bar picks one, a link may still name several."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value]


def filter_bar(filterset_class, request, queryset, defaults: dict | None = None):
    """The form of the FilterSet bound to the query string (with date pickers for its date fields)
    and the rows it lets through; `defaults` apply when the query string leaves a filter out. An
    invalid value shows on its field and filters nothing out (the whole list is shown)."""
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        data.setdefault(name, value)
    filterset = filterset_class(data or None, queryset=queryset, request=request)
    for name, field in filterset.form.fields.items():
        field.label = LABELS.get(name, field.label)
        if isinstance(field, forms.DateField):
            field.widget.input_type = "date"
        if isinstance(field, forms.NullBooleanField):
            field.widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        if isinstance(field, forms.MultipleChoiceField):
            field.widget = OneOfMany(choices=[("", "—"), *field.choices])
        elif getattr(field, "empty_label", None) is not None:
            choices = [choice for choice in field.choices if choice[0] != ""]
            field.empty_label = "—"
            field.choices = choices
    rows = filterset.qs if filterset.is_valid() else queryset
    return filterset.form, rows
