"""Warehouses, zones and bins (block and unblock); writes through `wms.services.locations`."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from wms.api import filters
from wms.api.serializers import locations as serializers
from wms.api.views.common import MethodsFirst
from wms.models import Bin, Warehouse, Zone
from wms.selectors import stock as selectors
from wms.services import locations


class WarehouseViewSet(MethodsFirst, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    queryset = Warehouse.objects.none()
    serializer_class = serializers.WarehouseSerializer
    selector = staticmethod(selectors.warehouse_list)
    filterset_class = filters.WarehouseFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def perform_create(self, serializer):
        serializer.instance = locations.create_warehouse(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = locations.update_warehouse(
            warehouse=serializer.instance, user=self.request.user, **serializer.validated_data
        )


class ZoneViewSet(MethodsFirst, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    queryset = Zone.objects.none()
    serializer_class = serializers.ZoneSerializer
    selector = staticmethod(selectors.zone_list)
    filterset_class = filters.ZoneFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "kind"]
    ordering = ["warehouse__code", "code"]

    def perform_create(self, serializer):
        serializer.instance = locations.create_zone(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = locations.update_zone(
            zone=serializer.instance, user=self.request.user, **serializer.validated_data
        )


class BinViewSet(MethodsFirst, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """Bins: create (the code is built from the location), update, block and unblock."""

    queryset = Bin.objects.none()
    serializer_class = serializers.BinSerializer
    selector = staticmethod(selectors.bin_list)
    filterset_class = filters.BinFilter
    search_fields = ["code"]
    ordering_fields = ["code", "pick_sequence", "distance_rank"]
    ordering = ["code"]

    @property
    def required_permissions(self):
        if getattr(self, "action", None) in ("block", "unblock"):
            return {"POST": ["wms.change_bin"]}
        return None

    def perform_create(self, serializer):
        serializer.instance = locations.create_bin(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = locations.update_bin(
            bin=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=serializers.BlockSerializer, responses=serializers.BinSerializer)
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        """Block the bin: no stock moves in or out until unblocked. `reason` is required."""
        body = serializers.BlockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bin_ = locations.block_bin(bin=self.get_object(), user=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(bin_).data)

    @extend_schema(request=serializers.BlockSerializer, responses=serializers.BinSerializer)
    @action(detail=True, methods=["post"])
    def unblock(self, request, pk=None):
        body = serializers.BlockSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        bin_ = locations.unblock_bin(bin=self.get_object(), user=request.user, reason=body.validated_data["reason"])
        return Response(self.get_serializer(bin_).data)
