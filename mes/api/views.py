"""The production API: plant, product definitions, work orders and their transitions, operations
and theirs, production reports, dispatch lists and OEE.

Reads go through `mes.selectors` (scoped to the user's sites, so another site's record is a
404); writes through `mes.services`. Domain errors become 400/403/409 in the shared handler.
"""

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.pagination import LedgerPagination
from core.api.permissions import RolePermissions
from core.api.viewsets import ScopedReadOnlyViewSet
from core.errors import NotFound, ValidationFailed
from mes.api import filters, serializers, supervision
from mes.models import BOM, Equipment, Operation, ProductionReport, Routing, Shift, WorkCentre, WorkOrder
from mes.selectors import dispatch, oee, plant
from mes.services import definitions, operations, production, work_orders


class WorkCentreViewSet(ScopedReadOnlyViewSet):
    """Work centres; their equipment is listed by `/equipment/?work_centre=<code>`."""

    queryset = WorkCentre.objects.none()
    serializer_class = serializers.WorkCentreSerializer
    selector = staticmethod(plant.work_centre_list)
    filterset_class = filters.WorkCentreFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["code"]


class EquipmentViewSet(ScopedReadOnlyViewSet):
    queryset = Equipment.objects.none()
    serializer_class = serializers.EquipmentSerializer
    selector = staticmethod(plant.equipment_list)
    filterset_class = filters.EquipmentFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "state", "state_since"]
    ordering = ["code"]


class _DefinitionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Versions of a definition: create a draft, approve it with a signature."""

    approve_service = None
    create_service = None
    children = ""

    @property
    def required_permissions(self):
        if getattr(self, "action", None) == "approve":
            return {"POST": [f"mes.change_{self.queryset.model._meta.model_name}"]}
        return None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        record = type(self).create_service(
            site=data.pop("site"),
            item=data.pop("item"),
            user=request.user,
            **{self.children: data.pop(self.children)},
            **data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ApproveSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve this draft version with your password (electronic signature); the version
        approved before becomes obsolete."""
        body = serializers.ApproveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        record = type(self).approve_service(self.get_object(), user=request.user, **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


class BOMViewSet(_DefinitionViewSet):
    """Bills of materials (`?site=&item=&status=`, `?component=` for where-used)."""

    queryset = BOM.objects.none()
    serializer_class = serializers.BOMSerializer
    selector = staticmethod(plant.bom_list)
    filterset_class = filters.BOMFilter
    ordering_fields = ["version", "created_at"]
    ordering = ["site__code", "item__code", "-version"]
    create_service = staticmethod(definitions.create_bom)
    approve_service = staticmethod(lambda record, **kw: definitions.approve_bom(bom=record, **kw))
    children = "lines"


class RoutingViewSet(_DefinitionViewSet):
    """Routings (`?site=&item=&status=`)."""

    queryset = Routing.objects.none()
    serializer_class = serializers.RoutingSerializer
    selector = staticmethod(plant.routing_list)
    filterset_class = filters.RoutingFilter
    ordering_fields = ["version", "created_at"]
    ordering = ["site__code", "item__code", "-version"]
    create_service = staticmethod(definitions.create_routing)
    approve_service = staticmethod(lambda record, **kw: definitions.approve_routing(routing=record, **kw))
    children = "operations"


WORK_ORDER_ACTIONS = {
    "release": work_orders.release_work_order,
    "hold": work_orders.hold_work_order,
    "resume": work_orders.resume_work_order,
    "cancel": work_orders.cancel_work_order,
    "complete": work_orders.complete_work_order,
    "close": work_orders.close_work_order,
}


class WorkOrderViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Work orders by number. POST makes a draft from the item's approved BOM and routing;
    `POST <number>/<action>/` moves it: release, hold, resume, cancel, complete, close."""

    queryset = WorkOrder.objects.none()
    serializer_class = serializers.WorkOrderSerializer
    selector = staticmethod(plant.work_order_list)
    filterset_class = filters.WorkOrderFilter
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    search_fields = ["number", "item__code", "reference"]
    ordering_fields = ["number", "due", "priority", "created_at"]
    ordering = ["-created_at", "-id"]
    # Large: the count is estimated past 20,000 orders (core.api.pagination).
    pagination_class = LedgerPagination

    def get_queryset(self):
        # A page of the list reads only what its rows answer with.
        if getattr(self, "action", None) == "list":
            return plant.work_order_rows(user=self.request.user)
        return super().get_queryset()

    @property
    def required_permissions(self):
        if getattr(self, "action", None) in {*WORK_ORDER_ACTIONS, "release_many"}:
            return {"POST": ["mes.change_workorder"]}
        return None

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = work_orders.create_work_order(
            site=data["site"],
            item=data["item"],
            quantity=data["quantity"],
            unit=data.get("unit"),
            due=data["due"],
            priority=data.get("priority", 5),
            reference=data.get("reference", ""),
            user=request.user,
        )
        return Response(self._data(order), status=status.HTTP_201_CREATED)

    def _data(self, order):
        return self.get_serializer(self.get_queryset().get(pk=order.pk)).data

    def _act(self, name):
        order = WORK_ORDER_ACTIONS[name](work_order=self.get_object(), user=self.request.user)
        return Response(self._data(order))

    @extend_schema(
        operation_id="v1_mes_work_orders_release_many",
        request=serializers.BulkReleaseSerializer,
        responses=serializers.BulkReleaseResponseSerializer,
    )
    @action(detail=False, methods=["post"], url_path="release")
    def release_many(self, request):
        """Release many drafts (`{"ids": [...]}`): each order is released or refused on its own,
        and the answer says which. 200 when at least one was released (the refused ones carry
        their own status: 409 not a draft or no line-side bin, 404 unknown); when none was,
        the refusals' status (409 when they differ). A bad body is a 400 and releases nothing."""
        serializer = serializers.BulkReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(serializer.validated_data["ids"]))
        numbers = dict(self.get_queryset().filter(pk__in=ids).values_list("pk", "number"))
        result = work_orders.release_work_orders(work_orders=list(numbers), user=request.user)
        released = {order.pk for order in result.released}
        results = []
        for pk in ids:
            if pk in released:
                results.append({"id": pk, "number": numbers[pk], "status": status.HTTP_200_OK})
                continue
            # Another site's order the user cannot see is as unknown as a missing one.
            error = (result.refused.get(pk) if pk in numbers else None) or NotFound(_("No such work order."))
            results.append(
                {
                    "id": pk,
                    "number": numbers.get(pk),
                    "status": error.status,
                    "code": error.code,
                    "detail": str(error.message),
                }
            )
        refused = [r["status"] for r in results if r["status"] != status.HTTP_200_OK]
        if released or not refused:
            code = status.HTTP_200_OK
        else:
            code = refused[0] if len(set(refused)) == 1 else status.HTTP_409_CONFLICT
        body = {
            "released": [numbers[pk] for pk in ids if pk in released],
            "refused": len(refused),
            "results": results,
        }
        return Response(body, status=code)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def release(self, request, number=None):
        """Release a draft: the first operation becomes ready."""
        return self._act("release")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def hold(self, request, number=None):
        return self._act("hold")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, number=None):
        return self._act("resume")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        return self._act("cancel")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request, number=None):
        return self._act("complete")

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def close(self, request, number=None):
        return self._act("close")


class OperationViewSet(ScopedReadOnlyViewSet):
    """Operations (`?work_order=&equipment=&status=`). `POST <id>/<action>/`: setup and start
    take `{"equipment"}`, pause `{"reason"}`, resume and complete nothing."""

    queryset = Operation.objects.none()
    serializer_class = serializers.OperationSerializer
    selector = staticmethod(plant.operation_list)
    filterset_class = filters.OperationFilter
    ordering_fields = ["sequence", "started_at"]
    ordering = ["work_order__number", "sequence"]

    @property
    def required_permissions(self):
        if getattr(self, "action", None) in ("setup", "start", "pause", "resume", "complete"):
            return {"POST": ["mes.change_operation"]}
        return None

    def _answer(self, operation):
        return Response(self.get_serializer(self.get_queryset().get(pk=operation.pk)).data)

    def _equipment(self, request):
        body = serializers.EquipmentChoiceSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return body.validated_data.get("equipment")

    @extend_schema(request=serializers.EquipmentChoiceSerializer)
    @action(detail=True, methods=["post"])
    def setup(self, request, pk=None):
        operation = self.get_object()
        return self._answer(
            operations.setup_operation(operation=operation, user=request.user, equipment=self._equipment(request))
        )

    @extend_schema(request=serializers.EquipmentChoiceSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        operation = self.get_object()
        return self._answer(
            operations.start_operation(operation=operation, user=request.user, equipment=self._equipment(request))
        )

    @extend_schema(request=serializers.PauseSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        body = serializers.PauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        operation = operations.pause_operation(
            operation=self.get_object(), user=request.user, reason=body.validated_data["reason"]
        )
        return self._answer(operation)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        return self._answer(operations.resume_operation(operation=self.get_object(), user=request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._answer(operations.complete_operation(operation=self.get_object(), user=request.user))


class ProductionReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Production reports. POST on a running operation → 201; the same `idempotency_key` again →
    200 with the first report, nothing applied twice."""

    queryset = ProductionReport.objects.none()
    serializer_class = serializers.ProductionReportSerializer
    selector = staticmethod(plant.report_list)
    filterset_class = filters.ProductionReportFilter
    ordering_fields = ["reported_at", "id"]
    ordering = ["-reported_at", "-id"]
    # The model's permissions, named up front: without them DRF builds the scoped selector's
    # queryset on every request only to read which model it lists.
    required_permissions = {
        method: [perm % {"app_label": "mes", "model_name": "productionreport"} for perm in perms]
        for method, perms in RolePermissions.perms_map.items()
    }

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report, created = production.report_production(
            operation=data["operation"],
            user=request.user,
            idempotency_key=data["idempotency_key"],
            good=data.get("good", 0),
            scrap=data.get("scrap", 0),
            scrap_reason=data.get("scrap_reason"),
            consumed=data.get("consumed") or [],
            override=data.get("override", False),
            note=data.get("note", ""),
        )
        # A new report is answered as the service wrote it; a repeated one as stored.
        body = self.get_serializer(report if created else self.get_queryset().get(pk=report.pk)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _code_param(request, name, queryset, required=False):
    code = request.query_params.get(name)
    if not code:
        if required:
            raise ValidationFailed(_("Give %(name)s.") % {"name": name}, field=name, code="required")
        return None
    record = queryset.filter(code=code).first()
    if record is None:
        raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": code}, field=name)
    return record


class DispatchViewSet(viewsets.GenericViewSet):
    """The dispatch list of `?work_centre=` or `?equipment=`: most urgent first, each line saying
    whether it can start and why not."""

    queryset = Operation.objects.none()  # permissions: who may view operations
    serializer_class = serializers.DispatchLineSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[OpenApiParameter("work_centre", str), OpenApiParameter("equipment", str)],
        responses=serializers.DispatchLineSerializer(many=True),
    )
    def list(self, request):
        equipment = _code_param(request, "equipment", plant.equipment_list(user=request.user))
        centre = _code_param(request, "work_centre", plant.work_centre_list(user=request.user), required=not equipment)
        lines = dispatch.dispatch_list(user=request.user, work_centre=centre, equipment=equipment)
        return Response(self.get_serializer(lines, many=True).data)


class OEEViewSet(viewsets.GenericViewSet):
    """OEE of `?equipment=` on `?day=` (ISO date, site time; default today), for one `?shift=`
    code of its calendar or the whole day.

    With `?scope=equipment|work_centre|site` (and `period=shift|day`, `from`, `to`, optional
    `site`, `work_centre`, `equipment` codes) it answers a list of rows instead: one per scope
    code, local day and shift, each with availability, performance, quality, OEE, their inputs in
    seconds and pieces, and the six big losses in seconds (see docs/production.md)."""

    queryset = Equipment.objects.none()  # permissions: who may view equipment
    pagination_class = None
    filter_backends = []

    @extend_schema(
        parameters=[
            OpenApiParameter("equipment", str, description="Equipment code (required without scope)"),
            OpenApiParameter("day", str),
            OpenApiParameter("shift", str),
            OpenApiParameter("scope", str, enum=list(oee.SCOPES), description="Roll up: one row per code"),
            OpenApiParameter("period", str, enum=list(oee.PERIODS), description="With scope: shift or day"),
            *supervision.RANGE_PARAMETERS[:4],
        ],
        responses=supervision.OEERowSerializer(many=True),
    )
    def list(self, request):
        if "scope" in request.query_params:
            return supervision.oee_rows(request)
        equipment = _code_param(request, "equipment", plant.equipment_list(user=request.user), required=True)
        day_text = request.query_params.get("day")
        try:
            day = date.fromisoformat(day_text) if day_text else None
        except ValueError as exc:
            raise ValidationFailed(_("Enter a date (YYYY-MM-DD)."), field="day") from exc
        if day is None:
            from django.utils import timezone

            day = timezone.now().astimezone(equipment.site.tzinfo).date()
        shift_code = request.query_params.get("shift")
        if shift_code:
            shift = Shift.objects.filter(calendar=equipment.work_centre.calendar, code=shift_code).first()
            if shift is None:
                raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": shift_code}, field="shift")
            figures = oee.oee_for_shift(equipment=equipment, shift=shift, day=day)
        else:
            figures = oee.oee_for_day(equipment=equipment, day=day)
        return Response(figures)


def register(router) -> None:
    router.register("work-centres", WorkCentreViewSet, basename="work-centre")
    router.register("equipment", EquipmentViewSet, basename="equipment")
    router.register("boms", BOMViewSet, basename="bom")
    router.register("routings", RoutingViewSet, basename="routing")
    router.register("work-orders", WorkOrderViewSet, basename="work-order")
    router.register("operations", OperationViewSet, basename="operation")
    router.register("production-reports", ProductionReportViewSet, basename="production-report")
    router.register("dispatch", DispatchViewSet, basename="dispatch")
    router.register("oee", OEEViewSet, basename="oee")
