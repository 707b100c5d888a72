"""On-hand stock rows, totals per item, and the stock ledger: GET lists moves, POST books one
through `wms.services.ledger.post_move`. Moves are never edited or deleted: PUT, PATCH and
DELETE answer 405."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from core.api.pagination import LedgerPagination
from core.api.viewsets import LookupJoinsInOrder, ScopedReadOnlyViewSet
from core.errors import ValidationFailed
from core.models import Item, Site
from wms.api import filters
from wms.api.serializers import stock as serializers
from wms.api.views.common import MethodsFirst
from wms.models import Bin, StockMove, StockQuant, Warehouse, ZoneKind
from wms.selectors import history
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

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "as_of",
                str,
                description="A past moment (ISO 8601 date-time, or a date for the end of that day): the stock then.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        """`?as_of=` (an ISO date-time, or a date for the end of that day): the stock as it stood
        then, computed from the ledger, with the same filters by code (`item`, `lot`, `bin`,
        `site`, `warehouse`, `zone_kind`); rows of a past moment carry no id."""
        if "as_of" not in request.query_params:
            return super().list(request, *args, **kwargs)
        rows = history.stock_as_of(user=request.user, **_as_of_arguments(request))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _as_of_arguments(request) -> dict:
    params = request.query_params
    try:
        at = history.parse_moment(params.get("as_of", ""))
    except ValueError:
        raise ValidationFailed(
            _("Give a date (2026-03-31) or an ISO 8601 date-time (2026-03-31T18:00:00+08:00)."), field="as_of"
        ) from None
    if at > timezone.now() + timedelta(days=1):
        raise ValidationFailed(_("This moment is in the future."), field="as_of")
    arguments = {"at": at}
    lookups = {
        "site": lambda code: Site.objects.for_user(request.user).filter(code=code).first(),
        "item": lambda code: Item.objects.filter(code=code).first(),
        "bin": lambda code: Bin.objects.for_user(request.user).filter(code=code).first(),
        "warehouse": lambda code: Warehouse.objects.for_user(request.user).filter(code=code).first(),
    }
    for name, lookup in lookups.items():
        if code := params.get(name, "").strip():
            found = lookup(code) if code.isprintable() else None
            if found is None:
                raise ValidationFailed(_("Unknown code '%(code)s'.") % {"code": code[:60]}, field=name)
            arguments[name] = found
    if code := params.get("lot", "").strip():
        arguments["lot_code"] = code[:60]
    if kind := params.get("zone_kind", "").strip():
        if kind not in ZoneKind.values:
            raise ValidationFailed(_("Unknown zone kind '%(kind)s'.") % {"kind": kind[:30]}, field="zone_kind")
        arguments["zone_kind"] = kind
    return arguments


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
