"""The quality dashboard's figures for a site over a period: first-pass yield, scrap rate and
scrap cost per item and per work centre, the defect Pareto of the production reports' scrap
reasons, and the open holds. Each table is one grouped query (`mes.selectors.kpis`), so the
page's query count does not grow with the data."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from core.models import Item
from mes.models import ScrapReason, WorkCentre
from mes.selectors.kpis import first_pass_yield, reported_quantities
from qms.models import HoldStatus
from qms.selectors.holds import hold_list

MONEY = Decimal("0.01")


@dataclass
class YieldRow:
    code: str
    name: str
    good: Decimal
    scrap: Decimal
    scrap_cost: Decimal

    @property
    def fpy(self) -> float | None:
        return first_pass_yield(self.good, self.scrap)

    @property
    def scrap_rate(self) -> float | None:
        """Scrap / (good + scrap): the complement of the first-pass yield."""
        fpy = self.fpy
        return None if fpy is None else 1 - fpy


def _rows(raw, key: str, names: dict) -> list[YieldRow]:
    rows = [
        YieldRow(
            code=names.get(row[key], ("", ""))[0] if row[key] is not None else "",
            name=names.get(row[key], ("", _("No reason given")))[1] if row[key] is not None else _("No reason given"),
            good=row["good_total"] or Decimal(0),
            scrap=row["scrap_total"] or Decimal(0),
            scrap_cost=(row["scrap_cost"] or Decimal(0)).quantize(MONEY),
        )
        for row in raw
    ]
    return sorted(rows, key=lambda r: (-(r.scrap_cost), -(r.scrap), r.code))


def _names(model, pks) -> dict:
    """pk -> (code, name) of the records a grouped table names, in one query."""
    return {pk: (code, name) for pk, code, name in model.objects.filter(pk__in=pks).values_list("pk", "code", "name")}


def quality_figures(*, user, site, start, end) -> dict:
    """The dashboard of `site` for [`start`, `end`): `totals` (a YieldRow), `by_item`,
    `by_work_centre`, `pareto` (scrap per reason, most first, with the cumulative share) and
    `open_holds` (count and the newest ten)."""
    span = {"user": user, "site": site, "start": start, "end": end}
    by_item = list(reported_quantities(by=("work_order__item",), **span))
    by_centre = list(reported_quantities(by=("operation__work_centre",), **span))
    by_reason = [row for row in reported_quantities(by=("scrap_reason",), **span) if row["scrap_total"]]
    items = _names(Item, [r["work_order__item"] for r in by_item])
    centres = _names(WorkCentre, [r["operation__work_centre"] for r in by_centre])
    reasons = _names(ScrapReason, [r["scrap_reason"] for r in by_reason if r["scrap_reason"]])
    item_rows = _rows(by_item, "work_order__item", items)
    totals = YieldRow(
        code="",
        name=_("All"),
        good=sum((r.good for r in item_rows), Decimal(0)),
        scrap=sum((r.scrap for r in item_rows), Decimal(0)),
        scrap_cost=sum((r.scrap_cost for r in item_rows), Decimal(0)),
    )
    pareto = sorted(_rows(by_reason, "scrap_reason", reasons), key=lambda r: (-r.scrap, r.code))
    running = Decimal(0)
    total_scrap = sum((r.scrap for r in pareto), Decimal(0))
    for row in pareto:
        running += row.scrap
        row.cumulative = float(running / total_scrap) if total_scrap else None
    holds = hold_list(user=user).filter(site=site, status=HoldStatus.ACTIVE)
    return {
        "totals": totals,
        "by_item": item_rows,
        "by_work_centre": _rows(by_centre, "operation__work_centre", centres),
        "pareto": pareto,
        "open_holds_count": holds.count(),
        "open_holds": list(holds[:10]),
    }


def pareto_figure(pareto: list[YieldRow]) -> dict:
    """The defect Pareto (plotly figure dict): scrap per reason as bars, most first, and the
    cumulative share as a line on the right axis."""
    import json

    import plotly.graph_objects as go

    labels = [row.code or row.name for row in pareto]
    figure = go.Figure(
        [
            go.Bar(x=labels, y=[float(r.scrap) for r in pareto], name=_("Scrap"), marker_color="#dc2626"),
            go.Scatter(
                x=labels,
                y=[r.cumulative for r in pareto],
                name=_("Cumulative share"),
                yaxis="y2",
                mode="lines+markers",
                marker_color="#1f2937",
            ),
        ],
        layout={
            "title": _("Defect Pareto (scrap by reason)"),
            "template": "plotly_white",
            "height": 320,
            "margin": {"l": 50, "r": 50, "t": 50, "b": 60},
            "yaxis": {"title": _("Scrapped"), "rangemode": "tozero"},
            "yaxis2": {"overlaying": "y", "side": "right", "range": [0, 1.05], "tickformat": ".0%"},
            "legend": {"orientation": "h", "y": -0.25},
        },
    )
    return json.loads(figure.to_json())
