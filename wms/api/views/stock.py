"""On-hand stock rows, totals per item, and the stock ledger: GET lists moves, POST books one
through `wms.services.ledger.post_move`. Moves are never edited or deleted: PUT, PATCH and
DELETE answer 405."""

from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api.pagination import LedgerPagination
from core.api.viewsets import LookupJoinsInOrder, ScopedReadOnlyViewSet
from core.errors import ValidationFailed
from core.models import Item, Site
from wms.api import filters
from wms.api.serializers import stock as serializers
from wms.api.views.common import MethodsFirst
from wms.models import StockMove, StockQuant
from wms.selectors import stock as selectors
from wms.services import ledger


class StockViewSet(MethodsFirst, LookupJoinsInOrder, ScopedReadOnlyViewSet):
    """On-hand stock per item, lot and bin in the item's base unit (positive rows only)."""

    queryset = StockQuant.objects.none()
    serializer_class = serializers.StockSerializer
    selector = staticmethod(selectors.stock_list)
    filterset_class = filters.StockFilter
    search_fields = ["item__code", "lot__code", "bin__code"]
    ordering_fields = ["quantity", "updated_at", "item__code", "bin__code"]
    ordering = ["item__code", "bin__code", "id"]

    def get_queryset(self):
        return serializers.stock_rows(super().get_queryset())


class OnHandViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Totals on hand per item across bins and lots, with value at standard cost
    (`?item=`, `?site=` codes)."""

    queryset = StockQuant.objects.none()
    serializer_class = serializers.OnHandSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        site = item = None
        if code := params.get("site"):
            site = Site.objects.for_user(self.request.user).filter(code=code).first()
            if site is None:
                raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": code}, field="site")
        if code := params.get("item"):
            item = Item.objects.filter(code=code).first()
            if item is None:
                raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": code}, field="item")
        return selectors.on_hand_by_item(user=self.request.user, site=site, item=item)


class StockMoveViewSet(MethodsFirst, LookupJoinsInOrder, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The stock ledger: GET lists the moves, POST books one through `post_move`."""

    queryset = StockMove.objects.none()
    serializer_class = serializers.StockMoveSerializer
    selector = staticmethod(selectors.move_list)
    filterset_class = filters.StockMoveFilter
    search_fields = ["reference", "item__code", "lot__code"]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    # Append-only and large: the count is estimated past 20,000 moves (core.api.pagination).
    pagination_class = LedgerPagination

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = ledger.post_move(user=request.user, **serializer.post_data())
        return Response(self.get_serializer(move).data, status=status.HTTP_201_CREATED)
