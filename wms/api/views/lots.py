"""Lots: read, change status (`wms.services.lots`), history."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from wms.api import filters
from wms.api.serializers import lots as serializers
from wms.api.views.common import MethodsFirst
from wms.models import Lot
from wms.selectors import stock as selectors
from wms.services import lots, putaway


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
            password=body.validated_data["password"],
        )
        data = self.get_serializer(lot).data
        if lot.status == "available":
            data["putaway"] = [
                {
                    "from_bin": row.bin.code,
                    "quantity": str(row.quantity),
                    "unit": row.item.base_unit.code,
                    "suggested_bins": [suggestion.bin.code for suggestion in suggestions],
                }
                for row, suggestions in putaway.release_putaway(lot=lot, user=request.user)
            ]
        return Response(data)

    @extend_schema(responses=serializers.LotHistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Every recorded change of the lot (status, reason), newest first, with who made it."""
        lot = self.get_object()
        records = lot.history.select_related("history_user").order_by("-history_date", "-history_id")
        return Response(serializers.LotHistorySerializer(records, many=True).data)
