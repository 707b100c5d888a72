"""Forms of the warehouse setup pages: warehouses, zones, bins, bulk bin generation and reorder
rules. They only check and convert the input; `wms.services.locations` and
`wms.services.planning` decide and write."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DomainErrorsMixin, ServiceForm
from core.models import ItemType
from core.quantities import QuantityField
from core.selectors.master_data import item_list
from wms.models import Bin, StockPolicy, Warehouse, Zone
from wms.selectors.stock import warehouse_list, zone_list


class _FixedOnEdit(ServiceForm):
    """Fields that identify the record (its code, where it is) are shown but not changed once it
    exists: they are printed on labels and referenced by other systems."""

    fixed_on_edit: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in self.fixed_on_edit:
                self.fields[name].disabled = True


class WarehouseForm(_FixedOnEdit):
    fixed_on_edit = ("site", "code")

    class Meta:
        model = Warehouse
        fields = ["site", "code", "name", "count_variance_pct", "count_variance_value"]


class ZoneForm(_FixedOnEdit):
    fixed_on_edit = ("warehouse", "code")
    allowed_item_types = forms.MultipleChoiceField(
        label=_("allowed item types"),
        choices=ItemType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means any type."),
    )

    class Meta:
        model = Zone
        fields = ["warehouse", "code", "name", "kind", "allowed_item_types", "allows_hazardous", "temperature_class"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouse_list(user=self.user)


class BinForm(_FixedOnEdit):
    """One bin; its code is built from the location parts by the service."""

    fixed_on_edit = ("warehouse",)

    class Meta:
        model = Bin
        fields = [
            "warehouse",
            "zone",
            "aisle",
            "rack",
            "level",
            "position",
            "max_volume_l",
            "max_weight_kg",
            "max_lots",
            "distance_rank",
            "pick_sequence",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouse_list(user=self.user)
        self.fields["zone"].queryset = zone_list(user=self.user)
        self.fields["aisle"].required = True


class BinGenerationForm(DomainErrorsMixin, forms.Form):
    """A grid of bins: the ranges of aisles, racks, levels and positions, and what every new bin
    gets (zone, capacity)."""

    error_aliases = {"zone": "zone", "warehouse": "warehouse"}

    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none())
    aisles = forms.CharField(label=_("Aisles"), max_length=100, help_text=_("A range (A-D, 01-12) or a list (A,C,F)."))
    racks = forms.CharField(label=_("Racks"), max_length=100, required=False, help_text=_("e.g. 01-10"))
    levels = forms.CharField(label=_("Levels"), max_length=100, required=False, help_text=_("e.g. 1-4"))
    positions = forms.CharField(label=_("Positions"), max_length=100, required=False, help_text=_("Optional."))
    max_volume_l = forms.DecimalField(
        label=_("Capacity (l)"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    max_weight_kg = forms.DecimalField(
        label=_("Capacity (kg)"), required=False, min_value=0, max_digits=14, decimal_places=3
    )
    max_lots = forms.IntegerField(label=_("Max lots"), required=False, min_value=1, max_value=1_000_000)
    distance_rank = forms.IntegerField(
        label=_("Distance from dock"),
        initial=100,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Travel-distance rank; 1 is nearest the dock."),
    )

    GRID = ("aisles", "racks", "levels", "positions")
    ATTRIBUTES = ("max_volume_l", "max_weight_kg", "max_lots", "distance_rank")

    def __init__(self, *args, user, site=None, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = warehouse_list(user=user)
        zones = zone_list(user=user)
        if site is not None:
            warehouses, zones = warehouses.filter(site=site), zones.filter(warehouse__site=site)
        self.fields["warehouse"].queryset = warehouses
        self.fields["zone"].queryset = zones.order_by("warehouse__code", "code")

    def grid(self) -> dict:
        data = self.cleaned_data
        return {"warehouse": data["warehouse"], "zone": data["zone"], **{name: data[name] for name in self.GRID}}

    def attributes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.ATTRIBUTES if self.cleaned_data[name] is not None}


class ReorderRuleForm(ServiceForm):
    """An item's reorder point and safety stock at a site, in the item's base unit."""

    reorder_point = QuantityField(label=_("reorder point"), allow_zero=True)
    safety_stock = QuantityField(label=_("safety stock"), allow_zero=True, required=False)

    class Meta:
        model = StockPolicy
        fields = ["site", "item", "reorder_point", "safety_stock"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = item_list(user=self.user).filter(active=True)
        if self.instance.pk is not None:
            self.fields["site"].disabled = self.fields["item"].disabled = True

    def validate_unique(self):
        """A rule for an item that already has one (or only an ABC class) replaces its limits."""

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("safety_stock") is None:
            data["safety_stock"] = Decimal("0")
        return data
