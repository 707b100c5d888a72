"""Filters of the production API: references by their codes (`?site=SZ&item=FG-RC25`)."""

import django_filters

from core.api.filters import IsoDateTimeFilter
from mes.models import (
    BOM,
    DefinitionStatus,
    Equipment,
    EquipmentState,
    Operation,
    OperationStatus,
    ProductionReport,
    Routing,
    WorkCentre,
    WorkOrder,
    WorkOrderStatus,
)


class WorkCentreFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    area = django_filters.CharFilter(field_name="area__code")

    class Meta:
        model = WorkCentre
        fields = ["code", "site", "area", "active"]


class EquipmentFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    work_centre = django_filters.CharFilter(field_name="work_centre__code")
    equipment_class = django_filters.CharFilter(field_name="equipment_class__code")
    state = django_filters.MultipleChoiceFilter(choices=EquipmentState.choices)

    class Meta:
        model = Equipment
        fields = ["code", "site", "work_centre", "equipment_class", "state", "active"]


class DefinitionFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    item = django_filters.CharFilter(field_name="item__code")
    status = django_filters.MultipleChoiceFilter(choices=DefinitionStatus.choices)


class BOMFilter(DefinitionFilter):
    component = django_filters.CharFilter(field_name="lines__component__code", distinct=True, label="where used")

    class Meta:
        model = BOM
        fields = ["site", "item", "status", "version", "component"]


class RoutingFilter(DefinitionFilter):
    class Meta:
        model = Routing
        fields = ["site", "item", "status", "version"]


class WorkOrderFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    item = django_filters.CharFilter(field_name="item__code")
    status = django_filters.MultipleChoiceFilter(choices=WorkOrderStatus.choices)
    due_before = IsoDateTimeFilter(field_name="due", lookup_expr="lt")
    due_after = IsoDateTimeFilter(field_name="due", lookup_expr="gte")

    class Meta:
        model = WorkOrder
        fields = ["number", "site", "item", "status", "priority", "reference"]


class OperationFilter(django_filters.FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number")
    work_centre = django_filters.CharFilter(field_name="work_centre__code")
    equipment = django_filters.CharFilter(field_name="equipment__code")
    site = django_filters.CharFilter(field_name="work_order__site__code")
    status = django_filters.MultipleChoiceFilter(choices=OperationStatus.choices)

    class Meta:
        model = Operation
        fields = ["work_order", "work_centre", "equipment", "site", "status", "sequence"]


class ProductionReportFilter(django_filters.FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number")
    equipment = django_filters.CharFilter(field_name="equipment__code")
    site = django_filters.CharFilter(field_name="site__code")
    user = django_filters.CharFilter(field_name="user__username")
    reported_after = IsoDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    reported_before = IsoDateTimeFilter(field_name="reported_at", lookup_expr="lt")

    class Meta:
        model = ProductionReport
        fields = ["operation", "work_order", "equipment", "site", "user", "idempotency_key"]
