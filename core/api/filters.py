from datetime import UTC

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField

from core.models import Item, Partner, Site, User
from core.selectors.master_data import may_see_badge


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, turned into UTC.

    Python accepts offsets up to ±23:59 but PostgreSQL refuses any beyond ±15:59, so a query with
    `...+23:00` would fail in the database; in UTC the same instant is fine. An instant outside
    the years 1-9999 once in UTC is an invalid value, not a crash.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter whose value reaches the database in UTC (see UtcIsoDateTimeField)."""

    field_class = UtcIsoDateTimeField


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
    badge_id = django_filters.CharFilter(method="filter_badge_id")

    class Meta:
        model = User
        fields = ["username", "is_active", "role", "site", "badge_id"]

    def filter_badge_id(self, queryset, name, value):
        """Finding someone by badge confirms the badge: only those who may see badges may."""
        viewer = getattr(self.request, "user", None)
        if not may_see_badge(viewer):
            queryset = queryset.filter(pk=getattr(viewer, "pk", None))
        return queryset.filter(badge_id=value)
