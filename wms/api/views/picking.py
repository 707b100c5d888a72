"""Pick lists: create (allocated at once), pick, cancel (`wms.services.picking`)."""

from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.errors import ValidationFailed
from wms.api import filters
from wms.api.serializers import picking as serializers
from wms.api.views.common import MOVE_STOCK
from wms.models import PickList
from wms.selectors import inbound as selectors
from wms.services import picking


class PickListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pick lists: create (allocated FEFO/FIFO at once, short lines for what is missing), list,
    retrieve with lines in walking order, confirm picks, cancel."""

    queryset = PickList.objects.none()
    filterset_class = filters.PickListFilter
    search_fields = ["number", "reference"]
    ordering_fields = ["number", "created_at"]
    ordering = ["-created_at"]
    required_permissions = None

    def get_queryset(self):
        return selectors.pick_list_list(user=self.request.user)

    def get_serializer_class(self):
        return {"create": serializers.PickListCreateSerializer, "pick": serializers.PickSerializer}.get(
            self.action, serializers.PickListSerializer
        )

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
        return serializers.PickListSerializer(pick_list, context=self.get_serializer_context()).data | extra

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
        return Response(self._answer(pick_list, line=serializers.PickLineSerializer(line).data))

    @action(detail=True, methods=["post"], required_permissions={"POST": ["wms.change_picklist"]})
    def cancel(self, request, pk=None):
        pick_list = picking.cancel_pick_list(pick_list=self.get_object(), user=request.user)
        return Response(self._answer(pick_list))
