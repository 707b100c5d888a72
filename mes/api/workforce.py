"""The scheduler's plant data over REST: labour pools (`/labour-pools/`), item setup families
(`/setup-families/`) and changeover matrices (`/changeovers/`). Records are referenced by code
(site, item, work centre); writes go through `mes.services.workforce`."""

from functools import partial

import django_filters
from rest_framework import serializers

from core.api.fields import CodeField
from core.api.viewsets import ServiceModelViewSet
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
    attrs = {
        "__doc__": model.__doc__,
        "queryset": model.objects.none(),  # for permissions and the schema; rows come from `selector`
        "serializer_class": serializer,
        "selector": staticmethod(selector),
        "filterset_class": filterset,
        "create_service": staticmethod(partial(services.create_record, model=model)),
        "update_service": staticmethod(services.update_record),
        "delete_service": staticmethod(services.delete_record),
        "search_fields": list(search),
        "ordering_fields": list(ordering),
        "ordering": list(ordering),
    }
    return type(f"{model.__name__}ViewSet", (ServiceModelViewSet,), attrs)


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
