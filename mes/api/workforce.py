"""The scheduler's plant data over REST: labour pools (`/labour-pools/`), item setup families
(`/setup-families/`) and changeover matrices (`/changeovers/`). Records are referenced by code
(site, item, work centre); writes go through `mes.services.workforce`."""

import django_filters
from rest_framework import serializers

from core.api.fields import CodeField
from core.api.viewsets import service_viewset
from core.models import Item, Site
from mes.models import Changeover, ItemSetupFamily, LabourPool, WorkCentre
from mes.selectors import workforce as selectors
from mes.services import workforce as services

# --- serializers ---------------------------------------------------------------------------------


class LabourPoolSerializer(serializers.ModelSerializer):
    site = CodeField(queryset=Site.objects.all())
    capacity = serializers.IntegerField(min_value=1, max_value=10000)

    class Meta:
        model = LabourPool
        fields = ["id", *services.FIELDS[LabourPool], "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # the service answers a duplicate and names the field


class ItemSetupFamilySerializer(serializers.ModelSerializer):
    site = CodeField(queryset=Site.objects.all())
    item = CodeField(queryset=Item.objects.all())

    class Meta:
        model = ItemSetupFamily
        fields = ["id", *services.FIELDS[ItemSetupFamily], "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []


class ChangeoverSerializer(serializers.ModelSerializer):
    work_centre = CodeField(queryset=WorkCentre.objects.all())
    minutes = serializers.IntegerField(min_value=0, max_value=100000)

    class Meta:
        model = Changeover
        fields = ["id", *services.FIELDS[Changeover], "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []


# --- filters -------------------------------------------------------------------------------------


class LabourPoolFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    skill = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = LabourPool
        fields = ["site", "skill"]


class ItemSetupFamilyFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    item = django_filters.CharFilter(field_name="item__code")
    family = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = ItemSetupFamily
        fields = ["site", "item", "family"]


class ChangeoverFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="work_centre__site__code")
    work_centre = django_filters.CharFilter(field_name="work_centre__code")
    from_family = django_filters.CharFilter(lookup_expr="iexact")
    to_family = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Changeover
        fields = ["site", "work_centre", "from_family", "to_family"]


# --- viewsets ------------------------------------------------------------------------------------


def _viewset(model, serializer, selector, filterset, search, ordering):
    return service_viewset(model, serializer, selector, services, filterset=filterset, search=search, ordering=ordering)


LabourPoolViewSet = _viewset(
    LabourPool, LabourPoolSerializer, selectors.labour_pool_list, LabourPoolFilter, ["skill"], ["skill", "id"]
)
ItemSetupFamilyViewSet = _viewset(
    ItemSetupFamily,
    ItemSetupFamilySerializer,
    selectors.setup_family_list,
    ItemSetupFamilyFilter,
    ["family", "item__code"],
    ["family", "id"],
)
ChangeoverViewSet = _viewset(
    Changeover,
    ChangeoverSerializer,
    selectors.changeover_list,
    ChangeoverFilter,
    ["from_family", "to_family"],
    ["from_family", "to_family", "id"],
)


def register(router) -> None:
    router.register("labour-pools", LabourPoolViewSet, basename="labour-pool")
    router.register("setup-families", ItemSetupFamilyViewSet, basename="setup-family")
    router.register("changeovers", ChangeoverViewSet, basename="changeover")
