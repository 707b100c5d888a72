"""Filters of the warehouse API: every reference is filtered by its code (`?site=P1&item=CMP-100`)."""

import django_filters
from django.db.models import Q

from core.api.filters import IsoDateTimeFilter
from wms.models import (
    AlertKind,
    AlertSeverity,
    Bin,
    CountStatus,
    CountTask,
    ExpectedReceipt,
    InventoryAlert,
    Lot,
    MoveKind,
    PickList,
    ReceiptStatus,
    StockMove,
    StockPolicy,
    StockQuant,
    Warehouse,
    Zone,
    ZoneKind,
)


class WarehouseFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")

    class Meta:
        model = Warehouse
        fields = ["code", "site"]


class ZoneFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="warehouse__site__code")
    warehouse = django_filters.CharFilter(field_name="warehouse__code")
    kind = django_filters.ChoiceFilter(choices=ZoneKind.choices)

    class Meta:
        model = Zone
        fields = ["code", "site", "warehouse", "kind"]


class BinFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="warehouse__site__code")
    warehouse = django_filters.CharFilter(field_name="warehouse__code")
    zone = django_filters.CharFilter(field_name="zone__code")
    zone_kind = django_filters.ChoiceFilter(field_name="zone__kind", choices=ZoneKind.choices)

    class Meta:
        model = Bin
        fields = ["code", "site", "warehouse", "zone", "zone_kind", "blocked", "aisle"]


class LotFilter(django_filters.FilterSet):
    item = django_filters.CharFilter(field_name="item__code")
    site = django_filters.CharFilter(field_name="site__code")
    supplier = django_filters.CharFilter(field_name="supplier__code")
    expiry_before = django_filters.DateFilter(field_name="expiry", lookup_expr="lte")
    expiry_after = django_filters.DateFilter(field_name="expiry", lookup_expr="gte")

    class Meta:
        model = Lot
        fields = ["code", "item", "site", "status", "supplier", "supplier_lot", "is_serial"]


class StockFilter(django_filters.FilterSet):
    """`?lot=` is a lot code (lots are unique per item: add `item=` to be exact)."""

    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    bin = django_filters.CharFilter(field_name="bin__code")
    site = django_filters.CharFilter(field_name="site__code")
    warehouse = django_filters.CharFilter(field_name="bin__warehouse__code")
    zone_kind = django_filters.ChoiceFilter(field_name="bin__zone__kind", choices=ZoneKind.choices)
    lot_status = django_filters.CharFilter(field_name="lot__status")

    class Meta:
        model = StockQuant
        fields = ["item", "lot", "bin", "site", "warehouse", "zone_kind", "lot_status"]


class StockMoveFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=MoveKind.choices)
    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    bin = django_filters.CharFilter(method="filter_bin", label="bin (either side)")
    from_bin = django_filters.CharFilter(field_name="from_bin__code")
    to_bin = django_filters.CharFilter(field_name="to_bin__code")
    site = django_filters.CharFilter(field_name="site__code")
    reference = django_filters.CharFilter()
    user = django_filters.CharFilter(field_name="user__username")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    date_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = StockMove
        fields = ["kind", "item", "lot", "bin", "from_bin", "to_bin", "site", "reference", "user"]

    def filter_bin(self, queryset, name, value):
        # By the bins' ids, so each side uses its index (an OR over two joined codes scans the
        # whole ledger).
        ids = list(Bin.objects.filter(code=value).values_list("pk", flat=True))
        return queryset.filter(Q(from_bin_id__in=ids) | Q(to_bin_id__in=ids))


class ExpectedReceiptFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    supplier = django_filters.CharFilter(field_name="supplier__code")
    status = django_filters.MultipleChoiceFilter(choices=ReceiptStatus.choices)
    item = django_filters.CharFilter(field_name="lines__item__code", distinct=True)

    class Meta:
        model = ExpectedReceipt
        fields = ["site", "supplier", "status", "number", "reference", "expected_date", "item"]


class PickListFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    status = django_filters.MultipleChoiceFilter(choices=PickList._meta.get_field("status").choices)
    item = django_filters.CharFilter(field_name="lines__item__code", distinct=True)

    class Meta:
        model = PickList
        fields = ["site", "status", "purpose", "number", "reference", "item"]


class CountTaskFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    warehouse = django_filters.CharFilter(field_name="bin__warehouse__code")
    bin = django_filters.CharFilter(field_name="bin__code")
    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    status = django_filters.MultipleChoiceFilter(choices=CountStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = CountTask
        fields = ["site", "warehouse", "bin", "item", "lot", "status", "due_before"]


class InventoryAlertFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    kind = django_filters.MultipleChoiceFilter(choices=AlertKind.choices)
    severity = django_filters.ChoiceFilter(choices=AlertSeverity.choices)
    item = django_filters.CharFilter(field_name="item__code")
    lot = django_filters.CharFilter(field_name="lot__code")
    bin = django_filters.CharFilter(field_name="bin__code")
    open = django_filters.BooleanFilter(field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = InventoryAlert
        fields = ["site", "kind", "severity", "item", "lot", "bin", "open"]


class StockPolicyFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    item = django_filters.CharFilter(field_name="item__code")

    class Meta:
        model = StockPolicy
        fields = ["site", "item", "abc_class"]
