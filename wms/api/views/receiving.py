"""Expected receipts: create, receive against a line, close, cancel (`wms.services.receiving`)."""

from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import ValidationFailed
from wms.api import filters
from wms.api.serializers import receiving as serializers
from wms.api.serializers.stock import StockMoveSerializer
from wms.api.views.common import MOVE_STOCK
from wms.models import ExpectedReceipt
from wms.selectors import inbound as selectors
from wms.services import receiving


class ExpectedReceiptViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Expected receipts: list, filter (`?site=&status=&supplier=`), create with lines, receive
    goods against a line, close (the rest will not come) or cancel."""

    queryset = ExpectedReceipt.objects.none()  # permissions and schema; rows come from the selector
    serializer_class = serializers.ExpectedReceiptSerializer
    filterset_class = filters.ExpectedReceiptFilter
    search_fields = ["number", "reference", "supplier__code"]
    ordering_fields = ["number", "expected_date", "created_at"]
    ordering = ["-created_at", "number"]
    required_permissions = None

    def get_queryset(self):
        return selectors.expected_receipt_list(user=self.request.user)

    def get_serializer_class(self):
        return serializers.ReceiveSerializer if self.action == "receive" else serializers.ExpectedReceiptSerializer

    def perform_create(self, serializer):
        data = serializer.validated_data
        receipt = receiving.create_expected_receipt(
            site=data["site"],
            number=data.get("number"),
            supplier=data.get("supplier"),
            reference=data.get("reference", ""),
            expected_date=data.get("expected_date"),
            lines=data["lines"],
            user=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=receipt.pk)

    def _answer(self, receipt, **extra):
        receipt = self.get_queryset().get(pk=receipt.pk)
        return serializers.ExpectedReceiptSerializer(receipt, context=self.get_serializer_context()).data | extra

    @action(detail=True, methods=["post"], required_permissions={"POST": MOVE_STOCK})
    def receive(self, request, pk=None):
        """Receive goods against line `line_no`; 409 `over_receipt` beyond its tolerance."""
        receipt = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = receipt.lines.filter(line_no=data["line_no"]).select_related("item").first()
        if line is None:
            raise ValidationFailed(
                _("Receipt %(number)s has no line %(n)s.") % {"number": receipt.number, "n": data["line_no"]},
                field="line_no",
            )
        attributes = {key: data[key] for key in ("supplier_lot", "manufactured_on", "expiry") if data.get(key)}
        move = receiving.receive_goods(
            site=receipt.site,
            item=data.get("item") or line.item,
            quantity=data["quantity"],
            unit=data.get("unit"),
            line=line,
            lot_code=(data.get("lot") or "").strip() or None,
            lot_attributes=attributes,
            to_bin=data.get("to_bin"),
            reference=data.get("reference", ""),
            user=request.user,
        )
        move_data = StockMoveSerializer(move, context=self.get_serializer_context()).data
        return Response(self._answer(receipt, move=move_data), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_expectedreceipt"]})
    def close(self, request, pk=None):
        """Short-close a partly received delivery."""
        receipt = receiving.close_expected_receipt(receipt=self.get_object(), user=request.user)
        return Response(self._answer(receipt))

    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_expectedreceipt"]})
    def cancel(self, request, pk=None):
        """Cancel a delivery nothing of which has arrived."""
        receipt = receiving.cancel_expected_receipt(receipt=self.get_object(), user=request.user)
        return Response(self._answer(receipt))
