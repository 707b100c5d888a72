"""The warehouse API for goods in and out: expected receipts and receiving, putaway suggestions
and confirmation, pick lists and picking.

Records are referenced by their codes; reads go through `wms.selectors.inbound` (scoped to the
user's sites, so another site's receipt answers 404); every write is one call into
`wms.services.receiving`, `putaway` or `picking`.
"""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fields import CodeField, DocumentLines
from core.errors import ValidationFailed
from core.models import Item, Partner, Site, Unit
from wms.api.serializers import QuantityField, StockMoveSerializer
from wms.models import (
    Bin,
    ExpectedReceipt,
    ExpectedReceiptLine,
    Lot,
    PickLine,
    PickList,
    PickPurpose,
    ReceiptStatus,
)
from wms.models.stock import QUANTITY
from wms.selectors import inbound as selectors
from wms.services import picking, putaway, receiving

MOVE_STOCK = ["wms.add_stockmove"]


# Expected receipts -----------------------------------------------------------------------------


class ExpectedReceiptLineSerializer(serializers.ModelSerializer):
    item = CodeField(queryset=Item.objects.all())
    quantity = QuantityField(help_text=gettext_lazy("In `unit`, or the item's base unit."))
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True, write_only=True)
    base_unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    received_quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    open_quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    over_tolerance_pct = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=0, required=False)
    under_tolerance_pct = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=100, required=False
    )

    class Meta:
        model = ExpectedReceiptLine
        fields = [
            "id",
            "line_no",
            "item",
            "quantity",
            "unit",
            "base_unit",
            "received_quantity",
            "open_quantity",
            "over_tolerance_pct",
            "under_tolerance_pct",
            "closed",
        ]
        read_only_fields = ["line_no", "closed"]


class ExpectedReceiptSerializer(serializers.ModelSerializer):
    """An announced delivery with its lines (quantities in each item's base unit)."""

    number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    site = CodeField(queryset=Site.objects.all())
    supplier = CodeField(queryset=Partner.objects.filter(is_supplier=True), required=False, allow_null=True)
    lines = DocumentLines(child=ExpectedReceiptLineSerializer())
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = ExpectedReceipt
        fields = [
            "id",
            "number",
            "site",
            "supplier",
            "reference",
            "expected_date",
            "status",
            "lines",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["status", "created_at"]

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError(_("Add at least one line."))
        return value


class ReceiveSerializer(serializers.Serializer):
    """Goods arriving against one line of an expected receipt."""

    line_no = serializers.IntegerField(min_value=1)
    item = CodeField(queryset=Item.objects.all(), required=False, help_text=gettext_lazy("Defaults to the line's."))
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    to_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    supplier_lot = serializers.CharField(max_length=60, required=False, allow_blank=True)
    manufactured_on = serializers.DateField(required=False, allow_null=True)
    expiry = serializers.DateField(required=False, allow_null=True)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ExpectedReceiptFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    supplier = django_filters.CharFilter(field_name="supplier__code")
    status = django_filters.MultipleChoiceFilter(choices=ReceiptStatus.choices)
    item = django_filters.CharFilter(field_name="lines__item__code", distinct=True)

    class Meta:
        model = ExpectedReceipt
        fields = ["site", "supplier", "status", "number", "reference", "expected_date", "item"]


class ExpectedReceiptViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Expected receipts: list, filter (`?site=&status=&supplier=`), create with lines, receive
    goods against a line, close (the rest will not come) or cancel."""

    queryset = ExpectedReceipt.objects.none()  # permissions and schema; rows come from the selector
    serializer_class = ExpectedReceiptSerializer
    filterset_class = ExpectedReceiptFilter
    search_fields = ["number", "reference", "supplier__code"]
    ordering_fields = ["number", "expected_date", "created_at"]
    ordering = ["-created_at", "number"]
    required_permissions = None

    def get_queryset(self):
        return selectors.expected_receipt_list(user=self.request.user)

    def get_serializer_class(self):
        return ReceiveSerializer if self.action == "receive" else ExpectedReceiptSerializer

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
        return ExpectedReceiptSerializer(receipt, context=self.get_serializer_context()).data | extra

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


# Putaway ---------------------------------------------------------------------------------------


class _ItemLotMixin:
    """Resolves `lot` (a code, unique per item) among the user's lots of `item`."""

    def validate(self, attrs):
        code = (attrs.get("lot") or "").strip()
        attrs["lot"] = None
        if code:
            user = self.context["request"].user
            lot = Lot.objects.for_user(user).filter(item=attrs["item"], code=code).first()
            if lot is None:
                raise serializers.ValidationError(
                    {"lot": [_("Unknown lot %(lot)s of %(item)s.") % {"lot": code, "item": attrs["item"].code}]}
                )
            attrs["lot"] = lot
        return attrs


class PutawaySuggestionRequestSerializer(_ItemLotMixin, serializers.Serializer):
    site = CodeField(queryset=Site.objects.all())
    item = CodeField(queryset=Item.objects.all())
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    from_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    limit = serializers.IntegerField(min_value=1, max_value=50, default=5)


class BinSuggestionSerializer(serializers.Serializer):
    bin = serializers.CharField(source="bin.code")
    warehouse = serializers.CharField(source="bin.warehouse.code")
    zone = serializers.CharField(source="bin.zone.code")
    zone_kind = serializers.CharField(source="bin.zone.kind")
    distance_rank = serializers.IntegerField(source="bin.distance_rank")
    score = serializers.DecimalField(max_digits=10, decimal_places=2)
    reasons = serializers.ListField(child=serializers.CharField())


class PutawaySuggestionViewSet(viewsets.GenericViewSet):
    """POST what arrived (site, item, lot, quantity): the best bins first, each with its reasons."""

    queryset = Bin.objects.none()
    serializer_class = PutawaySuggestionRequestSerializer
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
                "results": BinSuggestionSerializer(suggestions, many=True).data,
            }
        )


class PutawaySerializer(_ItemLotMixin, serializers.Serializer):
    item = CodeField(queryset=Item.objects.all())
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    from_bin = CodeField(queryset=Bin.objects.all())
    to_bin = CodeField(queryset=Bin.objects.all())
    suggested_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)


class PutawayViewSet(viewsets.GenericViewSet):
    """POST a confirmed putaway: a transfer (reference PUTAWAY); another bin than the suggested
    one is recorded as an override."""

    queryset = Bin.objects.none()
    serializer_class = PutawaySerializer
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


# Pick lists ------------------------------------------------------------------------------------


class PickLineSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    base_unit = serializers.CharField(source="item.base_unit.code", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, default=None)
    bin = serializers.CharField(source="bin.code", read_only=True, default=None)
    picked_by = serializers.CharField(source="picked_by.username", read_only=True, default=None)

    class Meta:
        model = PickLine
        fields = [
            "id",
            "sequence",
            "item",
            "lot",
            "bin",
            "quantity",
            "base_unit",
            "picked_quantity",
            "short_quantity",
            "status",
            "picked_by",
            "picked_at",
            "move",
        ]
        read_only_fields = fields


class PickListSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    destination_bin = serializers.CharField(source="destination_bin.code", read_only=True, default=None)
    lines = PickLineSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = PickList
        fields = [
            "id",
            "number",
            "site",
            "purpose",
            "reference",
            "destination_bin",
            "status",
            "lines",
            "created_by",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields


class PickRequestLineSerializer(serializers.Serializer):
    item = CodeField(queryset=Item.objects.all())
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)


class PickListCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    site = CodeField(queryset=Site.objects.all())
    purpose = serializers.ChoiceField(choices=PickPurpose.choices)
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    destination_bin = CodeField(queryset=Bin.objects.all(), required=False, allow_null=True)
    lines = DocumentLines(child=PickRequestLineSerializer())

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError(_("Add at least one line."))
        return value


class PickSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(min_value=1)
    picked_quantity = serializers.DecimalField(min_value=0, **QUANTITY)
    scanned_bin = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)
    scanned_lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)


class PickListFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")
    status = django_filters.MultipleChoiceFilter(choices=PickList._meta.get_field("status").choices)
    item = django_filters.CharFilter(field_name="lines__item__code", distinct=True)

    class Meta:
        model = PickList
        fields = ["site", "status", "purpose", "number", "reference", "item"]


class PickListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pick lists: create (allocated FEFO/FIFO at once, short lines for what is missing), list,
    retrieve with lines in walking order, confirm picks, cancel."""

    queryset = PickList.objects.none()
    filterset_class = PickListFilter
    search_fields = ["number", "reference"]
    ordering_fields = ["number", "created_at"]
    ordering = ["-created_at"]
    required_permissions = None

    def get_queryset(self):
        return selectors.pick_list_list(user=self.request.user)

    def get_serializer_class(self):
        return {"create": PickListCreateSerializer, "pick": PickSerializer}.get(self.action, PickListSerializer)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pick_list = picking.create_pick_list(
            site=data["site"],
            purpose=data["purpose"],
            lines=data["lines"],
            reference=data.get("reference", ""),
            destination_bin=data.get("destination_bin"),
            number=data.get("number"),
            user=request.user,
        )
        return Response(self._answer(pick_list), status=status.HTTP_201_CREATED)

    def _answer(self, pick_list, **extra):
        pick_list = self.get_queryset().get(pk=pick_list.pk)
        return PickListSerializer(pick_list, context=self.get_serializer_context()).data | extra

    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_picklist", *MOVE_STOCK]})
    def pick(self, request, pk=None):
        """Confirm line `sequence`: what was picked, and the bin and lot scanned (checked)."""
        pick_list = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        line = pick_list.lines.filter(sequence=data["sequence"]).first()
        if line is None:
            raise ValidationFailed(
                _("Pick list %(number)s has no line %(n)s.") % {"number": pick_list.number, "n": data["sequence"]},
                field="sequence",
            )
        line = picking.confirm_pick(
            line=line,
            picked_quantity=data["picked_quantity"],
            scanned_bin=data.get("scanned_bin") or None,
            scanned_lot=data.get("scanned_lot") or None,
            user=request.user,
        )
        return Response(self._answer(pick_list, line=PickLineSerializer(line).data))

    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_picklist"]})
    def cancel(self, request, pk=None):
        pick_list = picking.cancel_pick_list(pick_list=self.get_object(), user=request.user)
        return Response(self._answer(pick_list))


def register(router) -> None:
    """Add this module's viewsets to the wms API router."""
    router.register("expected-receipts", ExpectedReceiptViewSet, basename="expected-receipt")
    router.register("putaway-suggestions", PutawaySuggestionViewSet, basename="putaway-suggestion")
    router.register("putaway", PutawayViewSet, basename="putaway")
    router.register("pick-lists", PickListViewSet, basename="pick-list")
