import django_filters

from qms.models import Characteristic, InspectionPlan


class CharacteristicFilter(django_filters.FilterSet):
    item = django_filters.CharFilter(field_name="item__code")

    class Meta:
        model = Characteristic
        fields = ["item", "stage", "kind", "chart", "code", "active"]


class InspectionPlanFilter(django_filters.FilterSet):
    item = django_filters.CharFilter(field_name="item__code")

    class Meta:
        model = InspectionPlan
        fields = ["item", "stage", "sampling", "code", "active"]
