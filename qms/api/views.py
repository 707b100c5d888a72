"""The quality API: characteristics, inspection plans (with the sample for a lot) and SPC
analysis of posted data (the same service and JSON as `spc_analyze --json`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ServiceModelViewSet
from core.services import master_data
from qms.api import filters, serializers
from qms.models import Characteristic, InspectionPlan
from qms.selectors import plans as selectors
from qms.services import plans as plan_services
from qms.services import spc


def _create(model):
    def create(*, user, data):
        return master_data.create_record(model=model, user=user, data=data)

    return staticmethod(create)


class CharacteristicViewSet(ServiceModelViewSet):
    queryset = Characteristic.objects.none()
    serializer_class = serializers.CharacteristicSerializer
    selector = staticmethod(selectors.characteristic_list)
    create_service = _create(Characteristic)
    update_service = staticmethod(master_data.update_record)
    delete_service = staticmethod(master_data.delete_record)
    filterset_class = filters.CharacteristicFilter
    search_fields = ["code", "name", "item__code"]
    ordering_fields = ["code", "item__code", "stage"]
    ordering = ["item__code", "stage", "code"]


class InspectionPlanViewSet(ServiceModelViewSet):
    queryset = InspectionPlan.objects.none()
    serializer_class = serializers.InspectionPlanSerializer
    selector = staticmethod(selectors.plan_list)
    create_service = _create(InspectionPlan)
    update_service = staticmethod(master_data.update_record)
    delete_service = staticmethod(master_data.delete_record)
    filterset_class = filters.InspectionPlanFilter
    lookup_field = "code"
    search_fields = ["code", "name", "item__code"]
    ordering_fields = ["code", "item__code", "stage"]
    ordering = ["code"]

    @extend_schema(
        parameters=[OpenApiParameter("lot_size", OpenApiTypes.INT, required=True)],
        responses=serializers.LotSampleSerializer,
    )
    @action(detail=True, methods=["get"])
    def sample(self, request, code=None):
        """How many units to inspect from a lot of `lot_size`, and the accept/reject numbers."""
        query = serializers.LotSampleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        plan = plan_services.sample_for_lot(plan=self.get_object(), lot_size=query.validated_data["lot_size"])
        return Response(serializers.LotSampleSerializer(plan).data)


class SpcAnalyzeView(APIView):
    """POST the rows of an `spc_analyze` CSV as JSON; the answer is `spc_analyze --json`'s."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=serializers.SpcAnalyzeSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        options = serializers.SpcAnalyzeSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        result = spc.analyze_rows(**options.validated_data)
        return Response(result.to_dict())
