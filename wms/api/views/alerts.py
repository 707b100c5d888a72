"""Inventory alerts, open first."""

from core.api.viewsets import ScopedReadOnlyViewSet
from wms.api import filters
from wms.api.serializers import alerts as serializers
from wms.models import InventoryAlert
from wms.selectors import control as selectors


class InventoryAlertViewSet(ScopedReadOnlyViewSet):
    """Inventory alerts, open first. Filter `?open=true`, `?kind=below_reorder`, `?site=P1`."""

    queryset = InventoryAlert.objects.none()
    serializer_class = serializers.InventoryAlertSerializer
    selector = staticmethod(selectors.alert_list)
    filterset_class = filters.InventoryAlertFilter
    search_fields = ["message", "item__code", "lot__code", "bin__code"]
    ordering_fields = ["raised_at", "resolved_at", "severity", "kind"]
    ordering = ["resolved_at", "-raised_at"]
