"""The warehouse API: locations, lots, on-hand stock and the stock ledger.

Reads go through `wms.selectors.stock` (scoped to the user's sites); writes through the services
(`wms.services.locations`, `wms.services.lots`, `wms.services.ledger`). Moves are never edited or
deleted: the moves resource answers 405 to PUT, PATCH and DELETE.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from core.errors import ValidationFailed
from core.models import Item, Site
from wms.api import filters, serializers
from wms.models import Bin, Lot, StockMove, StockQuant, Warehouse, Zone
from wms.selectors import stock as selectors
from wms.services import ledger, locations, lots


class MethodsFirst:
    """Answer 405 to a method the resource does not have before asking for permissions, so
    "moves are never deleted" reads the same to every user."""

    def check_permissions(self, request):
        method = request.method.lower()
        if method != "options" and method not in getattr(self, "action_map", {}) and not hasattr(self, method):
            raise exceptions.MethodNotAllowed(request.method)
        super().check_permissions(request)


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


class LotViewSet(MethodsFirst, ScopedReadOnlyViewSet):
    """Lots are created by receipts; their status changes through POST .../status/."""

    queryset = Lot.objects.none()
    serializer_class = serializers.LotSerializer
    selector = staticmethod(selectors.lot_list)
    filterset_class = filters.LotFilter
    search_fields = ["code", "supplier_lot", "item__code"]
    ordering_fields = ["code", "expiry", "received_at", "status"]
    ordering = ["item__code", "code"]

    @property
    def required_permissions(self):
        if getattr(self, "action", None) == "change_status":
            return {"POST": ["wms.change_lot"]}
        return None

    @extend_schema(request=serializers.LotStatusSerializer, responses=serializers.LotSerializer)
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Change the lot's status (release, hold, quarantine, reject...); 409 when the status
        machine does not allow it."""
        body = serializers.LotStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lot = lots.change_lot_status(
            lot=self.get_object(),
            status=body.validated_data["status"],
            user=request.user,
            reason=body.validated_data["reason"],
        )
        return Response(self.get_serializer(lot).data)

    @extend_schema(responses=serializers.LotHistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every recorded change of the lot (status, reason), newest first, with who made it."""
        lot = self.get_object()
        records = lot.history.select_related("history_user").order_by("-history_date", "-history_id")
        return Response(serializers.LotHistorySerializer(records, many=True).data)


class StockViewSet(MethodsFirst, ScopedReadOnlyViewSet):
    """On-hand stock per item, lot and bin in the item's base unit (positive rows only)."""

    queryset = StockQuant.objects.none()
    serializer_class = serializers.StockSerializer
    selector = staticmethod(selectors.stock_list)
    filterset_class = filters.StockFilter
    search_fields = ["item__code", "lot__code", "bin__code"]
    ordering_fields = ["quantity", "updated_at", "item__code", "bin__code"]
    ordering = ["item__code", "bin__code", "id"]


class StockMoveViewSet(MethodsFirst, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The stock ledger: GET lists the moves, POST books one through `post_move`."""

    queryset = StockMove.objects.none()
    serializer_class = serializers.StockMoveSerializer
    selector = staticmethod(selectors.move_list)
    filterset_class = filters.StockMoveFilter
    search_fields = ["reference", "item__code", "lot__code"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = ledger.post_move(user=request.user, **serializer.post_data())
        return Response(self.get_serializer(move).data, status=status.HTTP_201_CREATED)


class OnHandViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Totals on hand per item across bins and lots, with value at standard cost
    (`?item=`, `?site=` codes)."""

    queryset = StockQuant.objects.none()
    serializer_class = serializers.OnHandSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        site = item = None
        if code := params.get("site"):
            site = Site.objects.for_user(self.request.user).filter(code=code).first()
            if site is None:
                raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": code}, field="site")
        if code := params.get("item"):
            item = Item.objects.filter(code=code).first()
            if item is None:
                raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": code}, field="item")
        return selectors.on_hand_by_item(user=self.request.user, site=site, item=item)


def register(router) -> None:
    """Add this module's viewsets to the wms API router."""
    router.register("warehouses", WarehouseViewSet, basename="warehouse")
    router.register("zones", ZoneViewSet, basename="zone")
    router.register("bins", BinViewSet, basename="bin")
    router.register("lots", LotViewSet, basename="lot")
    router.register("stock", StockViewSet, basename="stock")
    router.register("on-hand", OnHandViewSet, basename="on-hand")
    router.register("moves", StockMoveViewSet, basename="move")
