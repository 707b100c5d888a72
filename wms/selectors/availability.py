"""What stock is free to take: on-hand minus what open pick lines hold (allocations).

The one definition of "available", used by the ledger for every outbound move, by picking when
it allocates, and by production execution when it releases a work order (through
`wms.services.allocations`). A pick line holds its quantity in its bin and lot while it is open
and its list is open or in progress; confirming the line turns the hold into a move, cancelling
the list releases it.
"""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from wms.models import HOLDING_LIST_STATUSES, Lot, PickLine, PickLineStatus, StockQuant

ZERO = Decimal(0)


def holding_lines():
    """Open pick lines of open or in-progress lists: the allocations in force."""
    return PickLine.objects.filter(
        status=PickLineStatus.OPEN, bin__isnull=False, pick_list__status__in=HOLDING_LIST_STATUSES
    )


def held_subquery(*, lot: Lot | None, exclude_line_id: int | None = None) -> Subquery:
    """What open lines hold of the outer stock row's item, bin and lot (for `.annotate(held=...)`
    on StockQuant), leaving out `exclude_line_id` (the line a pick is confirming)."""
    lines = holding_lines().filter(item=OuterRef("item"), bin=OuterRef("bin"))
    lines = lines.filter(lot=OuterRef("lot")) if lot is not None else lines.filter(lot__isnull=True)
    if exclude_line_id is not None:
        lines = lines.exclude(pk=exclude_line_id)
    total = lines.order_by().values("item").annotate(total=Sum("quantity")).values("total")[:1]
    return Coalesce(Subquery(total), Value(ZERO), output_field=DecimalField(max_digits=18, decimal_places=6))


def held_by_bin_and_lot(*, site, item) -> dict[tuple[int, int | None], Decimal]:
    """(bin id, lot id) -> what open lines hold of `item` at `site`."""
    return {
        (row["bin_id"], row["lot_id"]): row["total"]
        for row in holding_lines()
        .filter(item=item, pick_list__site=site)
        .values("bin_id", "lot_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    }


def available_quantity(*, item, bin, lot: Lot | None = None, exclude_line_id: int | None = None) -> Decimal:
    """On hand of `item` (and `lot`) in `bin`, less what open pick lines hold there."""
    rows = StockQuant.objects.filter(item=item, bin=bin)
    rows = rows.filter(lot=lot) if lot is not None else rows.filter(lot__isnull=True)
    row = rows.annotate(held=held_subquery(lot=lot, exclude_line_id=exclude_line_id)).values("quantity", "held")
    row = row.first()
    if row is None:
        return ZERO
    return max(row["quantity"] - row["held"], ZERO)


def available_stock(*, user, site, item) -> list[StockQuant]:
    """The positive stock rows of `item` at `site` that the user may see, in walking order, each
    with `held` (by open pick lines) and `available` (quantity − held) set."""
    held = held_by_bin_and_lot(site=site, item=item)
    rows = list(
        StockQuant.objects.for_user(user)
        .filter(site=site, item=item, quantity__gt=0)
        .select_related("bin", "lot")
        .order_by("bin__pick_sequence", "bin__code", "pk")
    )
    for row in rows:
        row.held = held.get((row.bin_id, row.lot_id), ZERO)
        row.available = max(row.quantity - row.held, ZERO)
    return rows
