"""Reads of schedule versions for the pages and the API (scoped to the user's sites)."""

from __future__ import annotations

from collections import defaultdict

from scheduling.models import ScheduleAssignment, ScheduleVersion


def version_list(*, user):
    return ScheduleVersion.objects.for_user(user).select_related(
        "site", "created_by", "proposed_by", "approved_by", "released_by", "based_on"
    )


def assignment_list(*, user, version: ScheduleVersion | None = None):
    rows = ScheduleAssignment.objects.for_user(user).select_related(
        "equipment", "operation__work_order__item", "operation__work_centre", "version"
    )
    if version is not None:
        rows = rows.filter(version=version)
    return rows.order_by("equipment__code", "start")


def compare(a: ScheduleVersion, b: ScheduleVersion) -> dict:
    """Side-by-side figures of two versions, and the operations that moved between them."""
    figures = []
    for key, label in (
        ("orders", "orders"),
        ("late_orders", "late_orders"),
        ("makespan_minutes", "makespan_minutes"),
        ("weighted_tardiness_minutes", "weighted_tardiness_minutes"),
    ):
        figures.append({"key": label, "a": (a.kpis or {}).get(key), "b": (b.kpis or {}).get(key)})
    machines = sorted(set((a.kpis or {}).get("utilisation", {})) | set((b.kpis or {}).get("utilisation", {})))
    utilisation = [
        {
            "equipment": code,
            "a": (a.kpis or {}).get("utilisation", {}).get(code),
            "b": (b.kpis or {}).get("utilisation", {}).get(code),
        }
        for code in machines
    ]
    before = {
        row["operation_id"]: row
        for row in ScheduleAssignment.objects.filter(version=a).values("operation_id", "equipment__code", "start")
    }
    moved = defaultdict(int)
    for row in ScheduleAssignment.objects.filter(version=b).values("operation_id", "equipment__code", "start"):
        old = before.get(row["operation_id"])
        if old is None:
            moved["new"] += 1
        elif old["equipment__code"] != row["equipment__code"]:
            moved["other_equipment"] += 1
        elif abs((row["start"] - old["start"]).total_seconds()) >= 60:
            moved["other_time"] += 1
        else:
            moved["same"] += 1
    moved["dropped"] = len(
        set(before) - set(ScheduleAssignment.objects.filter(version=b).values_list("operation_id", flat=True))
    )
    return {"figures": figures, "utilisation": utilisation, "moved": dict(moved)}
