import django_filters

from core.models import Item, Partner, Site, User


class SiteFilter(django_filters.FilterSet):
    company = django_filters.CharFilter(field_name="company__code")

    class Meta:
        model = Site
        fields = ["code", "company", "active"]


class ItemFilter(django_filters.FilterSet):
    base_unit = django_filters.CharFilter(field_name="base_unit__code")

    class Meta:
        model = Item
        fields = ["code", "type", "tracking", "abc_class", "inspection_required", "base_unit", "active"]


class PartnerFilter(django_filters.FilterSet):
    currency = django_filters.CharFilter(field_name="currency__code")

    class Meta:
        model = Partner
        fields = ["code", "is_customer", "is_supplier", "currency", "active"]


class UserFilter(django_filters.FilterSet):
    role = django_filters.CharFilter(field_name="groups__name")
    site = django_filters.CharFilter(field_name="sites__code")

    class Meta:
        model = User
        fields = ["username", "is_active", "role", "site", "badge_id"]
