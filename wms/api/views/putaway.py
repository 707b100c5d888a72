"""Putaway suggestions and confirmation (`wms.services.putaway`)."""

from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.response import Response

from core.errors import ValidationFailed
from wms.api.serializers import putaway as serializers
from wms.api.serializers.stock import StockMoveSerializer
from wms.api.views.common import MOVE_STOCK
from wms.models import Bin
from wms.services import putaway


class PutawaySuggestionViewSet(viewsets.GenericViewSet):
    """POST what arrived (site, item, lot, quantity): the best bins first, each with its reasons."""

    queryset = Bin.objects.none()
    serializer_class = serializers.PutawaySuggestionRequestSerializer
    required_permissions = {"POST": ["wms.view_bin"]}
    pagination_class = None

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data.get("from_bin") is not None and data["from_bin"].warehouse.site_id != data["site"].pk:
            raise ValidationFailed(_("This bin is not at the site."), field="from_bin")
        suggestions = putaway.suggest_putaway_bins(
            item=data["item"],
            quantity=data["quantity"],
            unit=data.get("unit"),
            site=data["site"],
            lot=data["lot"],
            from_bin=data.get("from_bin"),
            limit=data["limit"],
        )
        return Response(
            {
                "site": data["site"].code,
                "item": data["item"].code,
                "lot": data["lot"].code if data["lot"] else None,
                "results": serializers.BinSuggestionSerializer(suggestions, many=True).data,
            }
        )


class PutawayViewSet(viewsets.GenericViewSet):
    """POST a confirmed putaway: a transfer (reference PUTAWAY); another bin than the suggested
    one is recorded as an override."""

    queryset = Bin.objects.none()
    serializer_class = serializers.PutawaySerializer
    required_permissions = {"POST": MOVE_STOCK}
    pagination_class = None

    def create(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        move = putaway.confirm_putaway(
            item=data["item"],
            quantity=data["quantity"],
            unit=data.get("unit"),
            lot=data["lot"],
            from_bin=data["from_bin"],
            to_bin=data["to_bin"],
            suggested_bin=data.get("suggested_bin"),
            user=request.user,
        )
        return Response(StockMoveSerializer(move, context=self.get_serializer_context()).data, status=201)
