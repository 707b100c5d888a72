"""Planning figures per item and site (ABC class, reorder point, safety stock): read."""

from core.api.viewsets import ScopedReadOnlyViewSet
from wms.api import filters
from wms.api.serializers import planning as serializers
from wms.models import StockPolicy
from wms.selectors import planning as selectors


class StockPolicyViewSet(ScopedReadOnlyViewSet):
    """Each site's ABC class, reorder point and safety stock of an item. Filter `?site=&item=&abc_class=`."""

    queryset = StockPolicy.objects.none()
    serializer_class = serializers.StockPolicySerializer
    selector = staticmethod(selectors.stock_policy_list)
    filterset_class = filters.StockPolicyFilter
    ordering = ["site__code", "item__code"]
