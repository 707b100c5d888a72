"""Warehouse KPIs as pandas DataFrames: inventory value, turnover, bin utilisation and ABC
classification by usage, plus the plotly figures the KPI page draws.

Each figure is read with one query per source (`.values()` into `DataFrame.from_records`) and
computed in pandas, never with a query per row. Every function takes the requesting `user` and
reads only that user's sites. Money is at the items' standard cost, in the company's base
currency. Quantities and money from the database stay Decimal; ratios and averages are floats.
"""

import json
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.models import Item
from wms.models import Bin, MoveKind, StockMove, StockQuant
from wms.selectors.planning import abc_class_at

MONEY = Decimal("0.01")
DECIMAL = DecimalField(max_digits=24, decimal_places=6)
# Moves that use stock up (production issues and customer shipments): the "cost of goods" of a
# warehouse. Scrap and adjustments are losses, not usage.
CONSUMING_KINDS = (MoveKind.ISSUE, MoveKind.SHIPMENT)
GROUPINGS = {
    "site": {"site__code": "site", "site__name": "site_name"},
    "warehouse": {
        "site__code": "site",
        "bin__warehouse__code": "warehouse",
        "bin__warehouse__name": "warehouse_name",
    },
    "zone": {
        "site__code": "site",
        "bin__warehouse__code": "warehouse",
        "bin__zone__code": "zone",
        "bin__zone__name": "zone_name",
        "bin__zone__kind": "zone_kind",
    },
}


def check_period(start: date, end: date) -> None:
    """A KPI period is two dates, start not after end."""
    if not isinstance(start, date):
        raise ValidationFailed(_("Enter a start date."), field="start")
    if not isinstance(end, date):
        raise ValidationFailed(_("Enter an end date."), field="end")
    if start > end:
        raise ValidationFailed(_("The end date must not be before the start date."), field="end")


def _bounds(site, start: date, end: date) -> tuple[datetime, datetime]:
    """The period as aware datetimes: from the start of `start` to the end of `end`, site time."""
    tz = site.tzinfo
    return datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(MONEY, rounding=ROUND_HALF_UP)


def _value_expression(quantity="quantity", cost="item__standard_cost"):
    return ExpressionWrapper(F(quantity) * F(cost), output_field=DECIMAL)


def inventory_value(*, user, site=None, group_by: str = "warehouse") -> pd.DataFrame:
    """Value of the stock on hand (quantity × standard cost) per site, warehouse or zone."""
    if group_by not in GROUPINGS:
        raise ValidationFailed(_("Group by one of: %(choices)s.") % {"choices": ", ".join(GROUPINGS)}, field="group_by")
    names = GROUPINGS[group_by]
    rows = StockQuant.objects.for_user(user).filter(quantity__gt=0)
    if site is not None:
        rows = rows.filter(site=site)
    rows = (
        rows.values(*names)
        .annotate(
            value=Sum(_value_expression()),
            items=Count("item", distinct=True),
            lots=Count("lot", distinct=True),
            stock_rows=Count("id"),
        )
        .order_by(*names)
    )
    columns = [*names, "value", "items", "lots", "stock_rows"]
    frame = pd.DataFrame.from_records(rows, columns=columns).rename(columns=names)
    frame["value"] = frame["value"].map(_money)
    return frame


def turnover(*, user, site, start: date, end: date) -> pd.DataFrame:
    """Per item over [start, end]: quantity issued or shipped and its value (COGS at standard
    cost), the average inventory (mean of the end-of-day stock, rebuilt from today's stock and
    the moves since `start`), turnover (COGS / average inventory value) and days of supply
    (the stock at the end of the period / the average daily usage over the period: how long what
    is there now lasts at the rate it was used).
    """
    check_period(start, end)
    period_start, period_end = _bounds(site, start, end)
    days = (end - start).days + 1
    moves = StockMove.objects.for_user(user).filter(site=site)

    usage = pd.DataFrame.from_records(
        moves.filter(kind__in=CONSUMING_KINDS, created_at__gte=period_start, created_at__lt=period_end)
        .values("item_id")
        .annotate(issued=Sum("quantity"))
        .order_by(),
        columns=["item_id", "issued"],
    )
    on_hand = pd.DataFrame.from_records(
        StockQuant.objects.for_user(user).filter(site=site).values("item_id").annotate(now=Sum("quantity")).order_by(),
        columns=["item_id", "now"],
    )
    # Net change of the site's stock per item and day: receipts raise it, issues lower it,
    # transfers inside the site leave it alone.
    net = Case(
        When(to_bin__isnull=False, from_bin__isnull=True, then=F("quantity")),
        When(from_bin__isnull=False, to_bin__isnull=True, then=-F("quantity")),
        default=Value(Decimal(0)),
        output_field=DECIMAL,
    )
    daily = pd.DataFrame.from_records(
        moves.filter(created_at__gte=period_start)
        .annotate(day=TruncDate("created_at", tzinfo=site.tzinfo))
        .values("item_id", "day")
        .annotate(net=Sum(net))
        .order_by(),
        columns=["item_id", "day", "net"],
    )
    item_ids = set(usage["item_id"]) | set(on_hand.loc[on_hand["now"] > 0, "item_id"]) | set(daily["item_id"])
    items = pd.DataFrame.from_records(
        Item.objects.filter(pk__in=item_ids).values("id", "code", "name", "base_unit__code", "standard_cost"),
        columns=["id", "code", "name", "base_unit__code", "standard_cost"],
    ).rename(columns={"id": "item_id", "code": "item", "base_unit__code": "unit"})

    columns = [
        "item",
        "name",
        "unit",
        "standard_cost",
        "issued_quantity",
        "cogs",
        "average_quantity",
        "average_inventory_value",
        "end_quantity",
        "turnover",
        "days_of_supply",
    ]
    if items.empty:
        return pd.DataFrame(columns=columns)

    ids = list(items["item_id"])
    current = on_hand.set_index("item_id")["now"].astype(float).reindex(ids, fill_value=0.0)
    calendar = pd.date_range(start, end, freq="D").date
    if daily.empty:
        after_end = pd.Series(0.0, index=ids)
        in_period = pd.DataFrame(0.0, index=calendar, columns=ids)
    else:
        daily["net"] = daily["net"].astype(float)
        after_end = daily[daily["day"] > end].groupby("item_id")["net"].sum().reindex(ids, fill_value=0.0)
        in_period = (
            daily[daily["day"] <= end]
            .pivot_table(index="day", columns="item_id", values="net", aggfunc="sum")
            .reindex(index=calendar, columns=ids, fill_value=0.0)
            .fillna(0.0)
        )
    end_quantity = current - after_end
    # stock at the end of day d = stock at the end of the period − changes on the days after d
    later = in_period[::-1].cumsum()[::-1] - in_period
    end_of_day = end_quantity - later
    average_quantity = end_of_day.mean(axis=0)

    frame = items.set_index("item_id")
    frame["issued_quantity"] = usage.set_index("item_id")["issued"].reindex(ids).fillna(Decimal(0))
    frame["cogs"] = [_money(q * c) for q, c in zip(frame["issued_quantity"], frame["standard_cost"], strict=True)]
    cost = frame["standard_cost"].astype(float)
    frame["average_quantity"] = average_quantity.round(6)
    frame["average_inventory_value"] = (average_quantity * cost).round(2)
    frame["end_quantity"] = end_quantity.round(6)
    cogs = frame["cogs"].astype(float)
    average_value = average_quantity * cost
    frame["turnover"] = (cogs / average_value.where(average_value > 0)).round(4)
    daily_usage = frame["issued_quantity"].astype(float) / days
    frame["days_of_supply"] = (end_quantity / daily_usage.where(daily_usage > 0)).round(1)
    frame = frame[(frame["average_quantity"] > 0) | (cogs > 0)]
    frame = frame.sort_values(["cogs", "item"], ascending=[False, True]).reset_index(drop=True)
    return frame[columns].astype(object).where(frame[columns].notna(), None)


def bin_utilisation(*, user, site, group_by: str = "bin") -> pd.DataFrame:
    """Per bin (or zone): volume, weight and lots held against the bin's capacity, in %.
    `utilisation_pct` is the highest of the three (what limits the bin first)."""
    if group_by not in ("bin", "zone"):
        raise ValidationFailed(_("Group by bin or zone."), field="group_by")
    held = Q(stock__quantity__gt=0)
    rows = (
        Bin.objects.for_user(user)
        .filter(warehouse__site=site)
        .values(
            "code",
            "warehouse__code",
            "zone__code",
            "zone__kind",
            "blocked",
            "max_volume_l",
            "max_weight_kg",
            "max_lots",
        )
        .annotate(
            volume_used_l=Sum(_value_expression("stock__quantity", "stock__item__unit_volume_l"), filter=held),
            weight_used_kg=Sum(_value_expression("stock__quantity", "stock__item__unit_weight_kg"), filter=held),
            lots_used=Count("stock", filter=held),
        )
        .order_by("warehouse__code", "zone__code", "pick_sequence", "code")
    )
    frame = pd.DataFrame.from_records(
        rows,
        columns=[
            "code",
            "warehouse__code",
            "zone__code",
            "zone__kind",
            "blocked",
            "max_volume_l",
            "max_weight_kg",
            "max_lots",
            "volume_used_l",
            "weight_used_kg",
            "lots_used",
        ],
    ).rename(columns={"code": "bin", "warehouse__code": "warehouse", "zone__code": "zone", "zone__kind": "zone_kind"})
    for column in ("max_volume_l", "max_weight_kg", "max_lots", "volume_used_l", "weight_used_kg", "lots_used"):
        frame[column] = pd.to_numeric(frame[column].astype(object).where(frame[column].notna(), None), errors="coerce")
    frame[["volume_used_l", "weight_used_kg", "lots_used"]] = frame[
        ["volume_used_l", "weight_used_kg", "lots_used"]
    ].fillna(0.0)
    if group_by == "zone":
        for used, limit in (
            ("volume_used_l", "max_volume_l"),
            ("weight_used_kg", "max_weight_kg"),
            ("lots_used", "max_lots"),
        ):
            # a zone's use is measured only over its bins that have that capacity
            frame[f"{used}_rated"] = frame[used].where(frame[limit].notna())
        frame = frame.groupby(["warehouse", "zone", "zone_kind"], as_index=False).agg(
            bins=("bin", "count"),
            volume_used_l=("volume_used_l", "sum"),
            volume_used_l_rated=("volume_used_l_rated", "sum"),
            max_volume_l=("max_volume_l", lambda s: s.sum(min_count=1)),
            weight_used_kg=("weight_used_kg", "sum"),
            weight_used_kg_rated=("weight_used_kg_rated", "sum"),
            max_weight_kg=("max_weight_kg", lambda s: s.sum(min_count=1)),
            lots_used=("lots_used", "sum"),
            lots_used_rated=("lots_used_rated", "sum"),
            max_lots=("max_lots", lambda s: s.sum(min_count=1)),
        )
        rated = {"volume": "volume_used_l_rated", "weight": "weight_used_kg_rated", "lots": "lots_used_rated"}
    else:
        rated = {"volume": "volume_used_l", "weight": "weight_used_kg", "lots": "lots_used"}
    for name, limit in (("volume", "max_volume_l"), ("weight", "max_weight_kg"), ("lots", "max_lots")):
        capacity = frame[limit].where(frame[limit] > 0)
        frame[f"{name}_pct"] = (frame[rated[name]] * 100 / capacity).round(1)
    frame["utilisation_pct"] = frame[["volume_pct", "weight_pct", "lots_pct"]].max(axis=1, skipna=True)
    if group_by == "zone":
        frame = frame.drop(columns=list(rated.values()))
    for column in ("volume_used_l", "weight_used_kg"):
        frame[column] = frame[column].round(3)
    frame["lots_used"] = frame["lots_used"].astype(int)
    return frame.astype(object).where(frame.notna(), None)


def abc_from_usage(*, user, site, start: date, end: date, a_share: float = 0.8, b_share: float = 0.95) -> pd.DataFrame:
    """ABC classes from the value used (issued or shipped × standard cost) over [start, end].

    Items are ranked by usage value; an item is A while the items ranked before it make less
    than `a_share` of the total, B while less than `b_share`, otherwise C (the item that crosses
    a line belongs to the higher class). Items with stock at the site but no usage are C.
    """
    check_period(start, end)
    a_share, b_share = _share(a_share, "a_share"), _share(b_share, "b_share")
    if b_share <= a_share:
        raise ValidationFailed(_("The B share must be greater than the A share."), field="b_share")
    period_start, period_end = _bounds(site, start, end)
    usage = pd.DataFrame.from_records(
        StockMove.objects.for_user(user)
        .filter(site=site, kind__in=CONSUMING_KINDS, created_at__gte=period_start, created_at__lt=period_end)
        .values("item_id")
        .annotate(usage_quantity=Sum("quantity"), usage_value=Sum(_value_expression()))
        .order_by(),
        columns=["item_id", "usage_quantity", "usage_value"],
    )
    stocked = StockQuant.objects.for_user(user).filter(site=site, quantity__gt=0).values("item_id")
    items = pd.DataFrame.from_records(
        Item.objects.filter(Q(pk__in=list(usage["item_id"])) | Q(pk__in=stocked))
        .annotate(site_class=abc_class_at(site))
        .values("id", "code", "name", "site_class"),
        columns=["id", "code", "name", "site_class"],
    ).rename(columns={"id": "item_id", "code": "item", "site_class": "current_class"})
    columns = [
        "item",
        "name",
        "usage_quantity",
        "usage_value",
        "share",
        "cumulative_share",
        "proposed_class",
        "current_class",
    ]
    if items.empty:
        return pd.DataFrame(columns=columns)
    frame = items.merge(usage, on="item_id", how="left")
    frame["usage_quantity"] = frame["usage_quantity"].map(lambda v: Decimal(0) if pd.isna(v) else v)
    frame["usage_value"] = frame["usage_value"].map(lambda v: _money(0 if pd.isna(v) else v))
    frame["_value"] = frame["usage_value"].astype(float)
    frame = frame.sort_values(["_value", "item"], ascending=[False, True]).reset_index(drop=True)
    total = frame["_value"].sum()
    if total > 0:
        frame["share"] = frame["_value"] / total
        frame["cumulative_share"] = frame["share"].cumsum()
        before = frame["cumulative_share"] - frame["share"]
    else:
        frame["share"] = 0.0
        frame["cumulative_share"] = 0.0
        before = pd.Series(1.0, index=frame.index)
    if total > 0:
        proposed = pd.Series("C", index=frame.index)
        proposed[(before < b_share) & (frame["_value"] > 0)] = "B"
        proposed[(before < a_share) & (frame["_value"] > 0)] = "A"
    else:
        # No usage in the period says nothing about velocity: propose no change.
        proposed = frame["current_class"]
    frame["proposed_class"] = proposed
    frame["share"] = frame["share"].round(6)
    frame["cumulative_share"] = frame["cumulative_share"].round(6)
    return frame[columns]


def _share(value, field: str) -> float:
    try:
        share = float(value)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Enter a share between 0 and 1."), field=field) from exc
    if not 0 < share <= 1:
        raise ValidationFailed(_("Enter a share between 0 and 1."), field=field)
    return share


def kpi_figures(*, user, site, start: date, end: date) -> dict[str, dict]:
    """The KPI page's charts as plotly figure dicts (`fig.to_json()` parsed), keyed by name:
    inventory_value, turnover, bin_utilisation and abc. The page draws them with the local
    static plotly.js (no CDN)."""
    return {name: json.loads(figure.to_json()) for name, figure in _figures(user, site, start, end).items()}


def _figures(user, site, start, end) -> dict:
    import plotly.graph_objects as go

    layout = {"margin": {"l": 60, "r": 20, "t": 50, "b": 60}, "template": "plotly_white", "height": 360}
    figures = {}

    value = inventory_value(user=user, site=site, group_by="zone")
    labels = [f"{w}/{z}" for w, z in zip(value["warehouse"], value["zone"], strict=True)]
    figures["inventory_value"] = go.Figure(
        go.Bar(x=labels, y=[float(v) for v in value["value"]], marker_color="#2563eb"),
        layout={**layout, "title": _("Inventory value by zone"), "yaxis": {"title": _("Value")}},
    )

    moves = turnover(user=user, site=site, start=start, end=end).head(20)
    figures["turnover"] = go.Figure(
        go.Bar(
            x=list(moves["item"]),
            y=[t or 0 for t in moves["turnover"]],
            marker_color="#059669",
            customdata=[[str(c), d] for c, d in zip(moves["cogs"], moves["days_of_supply"], strict=True)],
            hovertemplate=_("%{x}: turnover %{y}<br>COGS %{customdata[0]}, %{customdata[1]} days of supply")
            + "<extra></extra>",
        ),
        layout={**layout, "title": _("Turnover (top 20 items by COGS)"), "yaxis": {"title": _("Turnover")}},
    )

    bins = bin_utilisation(user=user, site=site, group_by="zone")
    figures["bin_utilisation"] = go.Figure(
        go.Bar(
            x=[f"{w}/{z}" for w, z in zip(bins["warehouse"], bins["zone"], strict=True)],
            y=[u or 0 for u in bins["utilisation_pct"]],
            marker_color="#d97706",
        ),
        layout={**layout, "title": _("Bin utilisation by zone (%)"), "yaxis": {"title": "%", "rangemode": "tozero"}},
    )

    abc = abc_from_usage(user=user, site=site, start=start, end=end)
    colours = {"A": "#dc2626", "B": "#d97706", "C": "#6b7280"}
    figure = go.Figure(
        go.Bar(
            x=list(abc["item"]),
            y=[float(v) for v in abc["usage_value"]],
            marker_color=[colours[c] for c in abc["proposed_class"]],
            name=_("Usage value"),
        ),
        layout={**layout, "title": _("ABC by usage value"), "yaxis": {"title": _("Usage value")}},
    )
    figure.add_trace(
        go.Scatter(
            x=list(abc["item"]),
            y=[float(s) * 100 for s in abc["cumulative_share"]],
            yaxis="y2",
            mode="lines+markers",
            name=_("Cumulative %"),
            line={"color": "#111827"},
        )
    )
    figure.update_layout(yaxis2={"overlaying": "y", "side": "right", "range": [0, 105], "title": "%"})
    figures["abc"] = figure
    return figures
