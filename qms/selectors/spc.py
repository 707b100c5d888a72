"""Reads for SPC: Measurements turned into the subgroup frame the SPC service charts, and the
status board's rows."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from django.db.models import Min, Q, QuerySet

from mes.models import Alert
from mes.models.alerts import OPEN_ALERT_STATUSES
from qms.models import Characteristic, ChartKind, ControlLimits, Measurement, SpcStatus, Stage

BOARD_FIELDS = (
    "id",
    "characteristic",
    "characteristic__code",
    "characteristic__name",
    "characteristic__stage",
    "characteristic__chart",
    "characteristic__item__code",
    "site__code",
    "work_centre__code",
    "colour",
    "reasons",
    "recent_rules",
    "cpk",
    "subgroups",
    "alert_rule",
    "updated_at",
)
FRAME_COLUMNS = ["subgroup", "value", "count", "size", "measured_at", "out_of_spec", "lot", "equipment", "work_order"]


def subgroup_keys(
    *,
    characteristic: Characteristic,
    site,
    start: datetime | None = None,
    end: datetime | None = None,
    last: int | None = None,
    first_key: str | None = None,
    last_key: str | None = None,
) -> list[tuple[str, datetime]]:
    """The subgroups of a characteristic at a site in chart order (first measurement, then key),
    within `start`..`end`, between the subgroups `first_key` and `last_key` (inclusive), and of
    those the newest `last`."""
    rows = Measurement.objects.filter(characteristic=characteristic, site=site)
    if start is not None:
        rows = rows.filter(measured_at__gte=start)
    if end is not None:
        rows = rows.filter(measured_at__lt=end)
    keyed = rows.values("subgroup").annotate(first=Min("measured_at"))
    for bound, later in ((first_key, True), (last_key, False)):
        if bound is None:
            continue
        anchor = rows.filter(subgroup=bound).aggregate(first=Min("measured_at"))["first"]
        if anchor is None:
            return []
        if later:
            keyed = keyed.filter(Q(first__gt=anchor) | Q(first=anchor, subgroup__gte=bound))
        else:
            keyed = keyed.filter(Q(first__lt=anchor) | Q(first=anchor, subgroup__lte=bound))
    if last is not None:
        newest = list(keyed.order_by("-first", "-subgroup").values_list("subgroup", "first")[:last])
        return newest[::-1]
    return list(keyed.order_by("first", "subgroup").values_list("subgroup", "first"))


def subgroup_frame(*, characteristic: Characteristic, site, **bounds) -> pd.DataFrame:
    """One row per measurement of the chosen subgroups (see `subgroup_keys`), ordered as the
    chart takes them: by subgroup (its first measurement), then by measurement time. Columns
    `FRAME_COLUMNS` plus `first` (the subgroup's first measurement)."""
    keys = subgroup_keys(characteristic=characteristic, site=site, **bounds)
    if not keys:
        return pd.DataFrame(columns=[*FRAME_COLUMNS, "first"])
    order = {key: (index, first) for index, (key, first) in enumerate(keys)}
    rows = Measurement.objects.filter(characteristic=characteristic, site=site, subgroup__in=list(order))
    if bounds.get("start") is not None:
        rows = rows.filter(measured_at__gte=bounds["start"])
    if bounds.get("end") is not None:
        rows = rows.filter(measured_at__lt=bounds["end"])
    frame = pd.DataFrame.from_records(
        rows.values_list(
            "subgroup",
            "value",
            "count",
            "size",
            "measured_at",
            "out_of_spec",
            "lot_id",
            "equipment_id",
            "work_order_id",
        ),
        columns=FRAME_COLUMNS,
    )
    frame["position"] = frame["subgroup"].map(lambda key: order[key][0])
    frame["first"] = frame["subgroup"].map(lambda key: order[key][1])
    frame = frame.sort_values(["position", "measured_at"], kind="stable").drop(columns="position")
    frame["value"] = frame["value"].astype(float)
    return frame.reset_index(drop=True)


def attribute_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per subgroup for attribute charts: the counts of its rows added up (one row per
    defect type found in the same sample) and the sample size (the largest given)."""
    grouped = frame.groupby("subgroup", sort=False)
    return pd.DataFrame(
        {"count": grouped["count"].sum().astype(float), "size": grouped["size"].max().astype(float)}
    ).reset_index()


def subgroup_links(frame: pd.DataFrame, key: str) -> dict:
    """The lots, work orders and equipment the measurements of one subgroup name."""
    rows = frame[frame["subgroup"] == key]

    def ids(column):
        return sorted({int(v) for v in rows[column].dropna().to_numpy()})

    return {"lots": ids("lot"), "work_orders": ids("work_order"), "equipment": ids("equipment")}


def active_limits(*, characteristic: Characteristic, site) -> ControlLimits | None:
    return ControlLimits.objects.filter(characteristic=characteristic, site=site, active=True).first()


def limits_history(*, characteristic: Characteristic, site) -> QuerySet[ControlLimits]:
    return ControlLimits.objects.filter(characteristic=characteristic, site=site).select_related("set_by")


def board_rows(
    *, user, item: str | None = None, work_centre: str | None = None, stage: str | None = None
) -> list[dict]:
    """Every active characteristic at each of the user's sites where it has data, with its colour
    (the status row evaluation keeps) and red where an SPC alert is open. Two queries of plain
    values (the board shows hundreds of tiles)."""
    statuses = SpcStatus.objects.for_user(user).filter(characteristic__active=True)
    if item:
        statuses = statuses.filter(characteristic__item__code=item)
    if work_centre:
        statuses = statuses.filter(work_centre__code=work_centre)
    if stage:
        statuses = statuses.filter(characteristic__stage=stage)
    rows = list(
        statuses.order_by(
            "characteristic__item__code", "characteristic__stage", "characteristic__code", "site__code"
        ).values(*BOARD_FIELDS)
    )
    rules = {row["alert_rule"] for row in rows if row["alert_rule"]}
    alerted = (
        set(Alert.objects.filter(rule_id__in=rules, status__in=OPEN_ALERT_STATUSES).values_list("rule_id", flat=True))
        if rules
        else set()
    )
    stages, charts = dict(Stage.choices), dict(ChartKind.choices)
    for row in rows:
        row["alert_open"] = row["alert_rule"] in alerted
        row["reasons"] = list(row["reasons"])
        if row["alert_open"]:
            row["colour"] = "red"
            row["reasons"].append("alert")
        row["stage_label"] = stages.get(row["characteristic__stage"], "")
        row["chart_label"] = charts.get(row["characteristic__chart"], "")
    return rows
