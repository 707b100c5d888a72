"""Reads of locations, lots, on-hand stock and the ledger, shared by the API, pages and reports.

Every function takes the requesting `user` and returns only that user's sites' rows.
"""

from django.db.models import Count, DecimalField, Exists, F, Max, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from wms.models import Bin, CountStatus, CountTask, Lot, StockMove, StockQuant, Warehouse, Zone


def warehouse_list(*, user) -> QuerySet[Warehouse]:
    return Warehouse.objects.for_user(user).select_related("site")


def zone_list(*, user) -> QuerySet[Zone]:
    return Zone.objects.for_user(user).select_related("warehouse__site")


def bin_list(*, user) -> QuerySet[Bin]:
    return Bin.objects.for_user(user).select_related("warehouse__site", "zone")


def lot_list(*, user) -> QuerySet[Lot]:
    return Lot.objects.for_user(user).select_related("item__base_unit", "site", "supplier")


# Who may see a quantity while a blind count of it is open (the approvers of counts).
SEES_BLIND_COUNTS = ("supervisor", "admin")
# Count statuses in which the count is still blind (not yet counted).
BLIND_COUNT_STATUSES = (CountStatus.OPEN,)


def _blind_count_open():
    """True for stock rows whose (bin, item, lot) has a count task that is still blind."""
    tasks = CountTask.objects.filter(status__in=BLIND_COUNT_STATUSES, bin=OuterRef("bin"), item=OuterRef("item"))
    return Exists(tasks.filter(lot=OuterRef("lot"))) | (Q(lot__isnull=True) & Exists(tasks.filter(lot__isnull=True)))


def stock_list(*, user, site=None, item=None, lot=None, bin=None, include_empty: bool = False) -> QuerySet[StockQuant]:
    """On-hand rows (item, lot, bin, quantity), positive only unless `include_empty`.

    A count is blind: while a count task of a row is open, the row is left out for everyone but
    supervisors and admins, so neither the counter nor a colleague can read what to count."""
    rows = StockQuant.objects.for_user(user).select_related(
        "item__base_unit", "lot", "bin__zone", "bin__warehouse", "site"
    )
    if not (user and user.is_authenticated and user.has_role(*SEES_BLIND_COUNTS)):
        rows = rows.exclude(_blind_count_open())
    if not include_empty:
        rows = rows.filter(quantity__gt=0)
    if site is not None:
        rows = rows.filter(site=site)
    if item is not None:
        rows = rows.filter(item=item)
    if lot is not None:
        rows = rows.filter(lot=lot)
    if bin is not None:
        rows = rows.filter(bin=bin)
    return rows


def on_hand_by_item(*, user, site=None, item=None):
    """Total on hand per item (across bins and lots) with its value at standard cost."""
    return summarise_by_item(stock_list(user=user, site=site, item=item))


def summarise_by_item(rows: QuerySet[StockQuant]):
    """Per item of the on-hand `rows`: quantity, value at standard cost, bins and lots holding it."""
    return (
        rows.values("item_id", "item__code", "item__name", "item__base_unit__code", "item__abc_class")
        .annotate(
            # `value` before `quantity`: once annotated, "quantity" names the total, not the row.
            value=Sum(
                F("quantity") * F("item__standard_cost"), output_field=DecimalField(max_digits=24, decimal_places=4)
            ),
            quantity=Sum("quantity"),
            bins=Count("bin", distinct=True),
            lots=Count("lot", distinct=True),
            last_change=Max("updated_at"),
        )
        .order_by("item__code")
    )


def on_hand_quantity(*, user, item, site=None, lot=None, bin=None):
    """One number: what is on hand of `item` (optionally in a lot, bin or site)."""
    return stock_list(user=user, site=site, item=item, lot=lot, bin=bin).aggregate(
        total=Coalesce(Sum("quantity"), Value(0), output_field=DecimalField(max_digits=18, decimal_places=6))
    )["total"]


def move_list(*, user) -> QuerySet[StockMove]:
    return StockMove.objects.for_user(user).select_related(
        "item__base_unit", "lot", "from_bin", "to_bin", "entered_unit", "user", "site"
    )


def adjustment_list(*, user):
    """Desk adjustments the user may see, newest first, with what their rows show."""
    from wms.models import StockAdjustment

    return StockAdjustment.objects.for_user(user).select_related(
        "site", "item__base_unit", "bin", "requested_by", "decided_by", "move"
    )
