"""Reads that only the warehouse desk pages need: filtered stock summaries and dashboard figures.

Built on `wms.selectors.stock`, so they see exactly the rows the API and the other pages see.
"""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from wms.selectors.stock import move_list, stock_list

VALUE = DecimalField(max_digits=24, decimal_places=4)


def filtered_stock(
    *,
    user,
    site,
    item: str = "",
    bin: str = "",
    lot: str = "",
    zone_kind: str = "",
    warehouse: str = "",
) -> QuerySet:
    """On-hand rows of `site` narrowed by the codes typed in a filter bar (blank means any)."""
    rows = stock_list(user=user, site=site)
    if item:
        rows = rows.filter(item__code__iexact=item)
    if bin:
        rows = rows.filter(bin__code__iexact=bin)
    if lot:
        rows = rows.filter(lot__code__iexact=lot)
    if zone_kind:
        rows = rows.filter(bin__zone__kind=zone_kind)
    if warehouse:
        rows = rows.filter(bin__warehouse__code__iexact=warehouse)
    return rows


def stock_value(rows: QuerySet) -> Decimal:
    """Total value of on-hand rows at standard cost."""
    return rows.aggregate(
        total=Coalesce(Sum(F("quantity") * F("item__standard_cost"), output_field=VALUE), Value(Decimal(0)))
    )["total"]


def bin_loads(*, user, site) -> dict[int, dict]:
    """Per bin of `site`: how many stock lines and lots it holds, and their value."""
    rows = (
        stock_list(user=user, site=site)
        .values("bin_id")
        .annotate(
            lines=Count("id"),
            lots=Count("lot", distinct=True),
            value=Sum(F("quantity") * F("item__standard_cost"), output_field=VALUE),
        )
    )
    return {row["bin_id"]: row for row in rows}


def moves_touching_bin(*, user, bin) -> QuerySet:
    """Ledger lines into or out of one bin, newest first."""
    return move_list(user=user).filter(Q(from_bin=bin) | Q(to_bin=bin))
