"""Serializers of the production API: records referenced by their codes, quantities as decimal
strings. Input serializers only check shape; the services decide the rest."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField, QuantityField
from core.api.hot import FieldsBuiltOnce
from core.models import Item, Site, Unit
from mes.models import (
    BOM,
    Equipment,
    Operation,
    ProductionReport,
    ReportConsumption,
    ReportOutput,
    Routing,
    RoutingOperation,
    ScrapReason,
    WorkCentre,
    WorkOrder,
)
from mes.models.definitions import QUANTITY
from mes.selectors import plant
from wms.models import Bin


def _code(related):
    return related.code if related is not None else None


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference by id that resolves only records of the requesting user's sites."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.for_user(request.user) if request is not None else queryset


class ReportedOperationField(ScopedPrimaryKeyField):
    """The running operation a report names by id, read with its work order by one plain
    statement (`mes.selectors.plant.operation_with_order`); refusals as DRF words them."""

    def to_internal_value(self, data):
        request = self.context.get("request")
        if request is None:
            return super().to_internal_value(data)
        try:
            if isinstance(data, bool):
                raise TypeError
            pk = int(data)
        except (TypeError, ValueError, OverflowError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        operation = plant.operation_with_order(user=request.user, pk=pk)
        if operation is None:
            self.fail("does_not_exist", pk_value=data)
        return operation


class WorkCentreSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    area = serializers.CharField(source="area.code", read_only=True)
    output_bin = serializers.CharField(source="output_bin.code", read_only=True, default=None, allow_null=True)
    line_side_bin = serializers.CharField(source="line_side_bin.code", read_only=True, default=None, allow_null=True)
    calendar = serializers.CharField(source="calendar.code", read_only=True, default=None, allow_null=True)

    class Meta:
        model = WorkCentre
        fields = ["id", "code", "site", "name", "area", "output_bin", "line_side_bin", "calendar", "active"]
        read_only_fields = fields


class EquipmentSerializer(serializers.ModelSerializer):
    site = serializers.CharField(source="site.code", read_only=True)
    work_centre = serializers.CharField(source="work_centre.code", read_only=True)
    equipment_class = serializers.CharField(source="equipment_class.code", read_only=True)

    class Meta:
        model = Equipment
        fields = ["id", "code", "site", "name", "work_centre", "equipment_class", "state", "state_since", "active"]
        read_only_fields = fields


class BOMLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(read_only=True)
    component = CodeField(queryset=Item.objects.all())
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    scrap_factor = serializers.DecimalField(max_digits=7, decimal_places=3, min_value=0, required=False, default=0)
    phantom = serializers.BooleanField(required=False, default=False)


def _version_fields(children: str) -> list[str]:
    """The fields of a versioned definition (a BOM or a routing) and its children's name."""
    return [
        "id",
        "site",
        "item",
        "version",
        "status",
        "valid_from",
        "valid_to",
        "description",
        children,
        "approved_at",
        "created_at",
    ]


VERSION_READ_ONLY = ["version", "status", "approved_at", "created_at"]


class VersionSerializer(serializers.ModelSerializer):
    """What a BOM's and a routing's version share: site and item by code."""

    site = CodeField(queryset=Site.objects.all())
    item = CodeField(queryset=Item.objects.all())


def _not_empty(value, message):
    if not value:
        raise serializers.ValidationError(message)
    return value


class BOMSerializer(VersionSerializer):
    """A BOM version; lines are per one unit of the item."""

    lines = BOMLineSerializer(many=True)

    class Meta:
        model = BOM
        fields = _version_fields("lines")
        read_only_fields = VERSION_READ_ONLY

    def validate_lines(self, value):
        return _not_empty(value, _("Add at least one line."))


class RoutingOperationSerializer(serializers.ModelSerializer):
    work_centre = CodeField(queryset=WorkCentre.objects.all())
    eligible_equipment = CodeField(queryset=Equipment.objects.all(), many=True, required=False)
    materials = CodeField(queryset=Item.objects.all(), many=True, required=False)
    sequence = serializers.IntegerField(min_value=1)

    class Meta:
        model = RoutingOperation
        fields = [
            "sequence",
            "name",
            "work_centre",
            "eligible_equipment",
            "setup_minutes",
            "run_seconds_per_unit",
            "labour",
            "skill",
            "instructions",
            "materials",
        ]
        extra_kwargs = {
            "name": {"required": False},
            "setup_minutes": {"min_value": 0},
            "run_seconds_per_unit": {"min_value": 0},
        }


class RoutingSerializer(VersionSerializer):
    operations = RoutingOperationSerializer(many=True)

    class Meta:
        model = Routing
        fields = _version_fields("operations")
        read_only_fields = VERSION_READ_ONLY

    def validate_operations(self, value):
        return _not_empty(value, _("Add at least one operation."))


class ApproveSerializer(serializers.Serializer):
    password = serializers.CharField(write_only=True, trim_whitespace=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BulkReleaseSerializer(serializers.Serializer):
    """`POST work-orders/release/`: the ids of the work orders to release."""

    MAX_ORDERS = 2000

    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=MAX_ORDERS)


class BulkReleaseResultSerializer(serializers.Serializer):
    """One order's answer: `status` 200 when released, else the refusal's (404, 403, 409)."""

    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    status = serializers.IntegerField()
    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)


class BulkReleaseResponseSerializer(serializers.Serializer):
    released = serializers.ListField(child=serializers.CharField(), help_text="numbers of the orders released")
    refused = serializers.IntegerField(help_text="how many were not released")
    results = BulkReleaseResultSerializer(many=True)


class OperationIdsField(serializers.ListField):
    """The order's operation ids in sequence: the list's `operation_ids` annotation when the row
    has it (`work_order_rows`), else its (prefetched) operations."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(), read_only=True, **kwargs)

    def get_attribute(self, instance):
        if hasattr(instance, "operation_ids"):
            return instance.operation_ids or []
        return [operation.pk for operation in instance.operations.all()]


class WorkOrderSerializer(serializers.ModelSerializer):
    site = CodeField(queryset=Site.objects.all())
    item = CodeField(queryset=Item.objects.all())
    quantity = QuantityField()
    unit = CodeField(queryset=Unit.objects.all(), required=False, allow_null=True)
    priority = serializers.IntegerField(min_value=1, max_value=9, required=False, default=5)
    operations = OperationIdsField()
    bom_version = serializers.IntegerField(source="bom.version", read_only=True)
    routing_version = serializers.IntegerField(source="routing.version", read_only=True)
    good = serializers.DecimalField(read_only=True, **QUANTITY)
    scrap = serializers.DecimalField(read_only=True, **QUANTITY)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "site",
            "item",
            "quantity",
            "unit",
            "due",
            "priority",
            "status",
            "reference",
            "bom_version",
            "routing_version",
            "operations",
            "good",
            "scrap",
            "released_at",
            "started_at",
            "completed_at",
            "created_at",
        ]
        read_only_fields = ["number", "status", "released_at", "started_at", "completed_at", "created_at"]
        extra_kwargs = {"reference": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["unit"] = instance.unit.code
        return data


class OperationSerializer(serializers.ModelSerializer):
    work_order = serializers.CharField(source="work_order.number", read_only=True)
    item = serializers.CharField(source="work_order.item.code", read_only=True)
    work_centre = serializers.CharField(source="work_centre.code", read_only=True)
    equipment = serializers.CharField(source="equipment.code", read_only=True, default=None, allow_null=True)
    open_quantity = serializers.DecimalField(read_only=True, **QUANTITY)
    run_seconds = serializers.SerializerMethodField()

    class Meta:
        model = Operation
        fields = [
            "id",
            "work_order",
            "item",
            "sequence",
            "name",
            "work_centre",
            "equipment",
            "status",
            "quantity",
            "good",
            "scrap",
            "open_quantity",
            "setup_minutes",
            "run_seconds_per_unit",
            "labour",
            "skill",
            "instructions",
            "setup_started_at",
            "started_at",
            "paused_since",
            "finished_at",
            "run_seconds",
        ]
        read_only_fields = fields

    def get_run_seconds(self, operation) -> float:
        return round(operation.run_seconds(), 3)


class EquipmentChoiceSerializer(serializers.Serializer):
    equipment = CodeField(queryset=Equipment.objects.all(), required=False, allow_null=True)


class PauseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ConsumedLineSerializer(serializers.Serializer):
    item = CodeField(queryset=Item.objects.all())
    lot = serializers.CharField(max_length=60, required=False, allow_blank=True, allow_null=True)
    bin = CodeField(queryset=Bin.objects.all())
    quantity = QuantityField()


class ConsumptionSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code")
    lot = serializers.CharField(source="lot.code", default=None, allow_null=True)
    bin = serializers.CharField(source="bin.code")

    class Meta:
        model = ReportConsumption
        fields = ["item", "lot", "bin", "quantity", "move"]


class OutputSerializer(ConsumptionSerializer):
    class Meta:
        model = ReportOutput
        fields = ["item", "lot", "bin", "quantity", "move"]


class ProductionReportSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """POST a report on a running operation; the answer shows what was booked."""

    operation = ReportedOperationField(queryset=Operation.objects.select_related("work_order"))
    work_order = serializers.CharField(source="work_order.number", read_only=True)
    equipment = serializers.CharField(source="equipment.code", read_only=True, default=None, allow_null=True)
    good = serializers.DecimalField(min_value=0, required=False, default=0, **QUANTITY)
    scrap = serializers.DecimalField(min_value=0, required=False, default=0, **QUANTITY)
    scrap_reason = CodeField(queryset=ScrapReason.objects.all(), required=False, allow_null=True)
    consumed = ConsumedLineSerializer(many=True, required=False)
    override = serializers.BooleanField(required=False, default=False)
    idempotency_key = serializers.CharField(max_length=100)
    user = serializers.CharField(source="user.username", read_only=True)
    produced = OutputSerializer(source="outputs", many=True, read_only=True)

    class Meta:
        model = ProductionReport
        fields = [
            "id",
            "operation",
            "work_order",
            "equipment",
            "good",
            "scrap",
            "scrap_reason",
            "consumed",
            "produced",
            "override",
            "note",
            "idempotency_key",
            "user",
            "reported_at",
        ]
        read_only_fields = ["reported_at"]
        extra_kwargs = {"note": {"required": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["consumed"] = ConsumptionSerializer(instance.consumed.all(), many=True).data
        data["scrap_reason"] = _code(instance.scrap_reason)
        return data


class DispatchLineSerializer(serializers.Serializer):
    operation = OperationSerializer()
    work_order_priority = serializers.IntegerField(source="operation.work_order.priority")
    work_order_due = serializers.DateTimeField(source="operation.work_order.due")
    startable = serializers.BooleanField()
    reason = serializers.CharField()
    message = serializers.CharField()
    short = serializers.ListField(child=serializers.DictField())
