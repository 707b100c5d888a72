"""Reads of count tasks, count schedules and inventory alerts, shared by the API and the pages.

Every function takes the requesting `user` and returns only that user's sites' rows.
"""

from django.db.models import QuerySet

from wms.models import CountSchedule, CountStatus, CountTask, InventoryAlert

OPEN_COUNT_STATUSES = (CountStatus.OPEN, CountStatus.PENDING_APPROVAL)


def count_task_list(*, user, site=None, status=None, bin=None, item=None) -> QuerySet[CountTask]:
    """Count tasks in walking order (due date, then the bins' pick sequence)."""
    rows = CountTask.objects.for_user(user).select_related(
        "site",
        "bin__warehouse",
        "bin__zone",
        "item__base_unit",
        "lot",
        "counted_by",
        "approved_by",
        "adjustment",
        "recount_of",
    )
    if site is not None:
        rows = rows.filter(site=site)
    if status is not None:
        rows = rows.filter(status=status)
    if bin is not None:
        rows = rows.filter(bin=bin)
    if item is not None:
        rows = rows.filter(item=item)
    return rows


def open_count_tasks(*, user, site=None) -> QuerySet[CountTask]:
    """Tasks still to count (what the tablet's count screen walks through)."""
    return count_task_list(user=user, site=site, status=CountStatus.OPEN)


def count_tasks_awaiting_approval(*, user, site=None) -> QuerySet[CountTask]:
    return count_task_list(user=user, site=site, status=CountStatus.PENDING_APPROVAL)


def count_schedule_list(*, user, site=None) -> QuerySet[CountSchedule]:
    rows = CountSchedule.objects.for_user(user).select_related("site")
    return rows.filter(site=site) if site is not None else rows


def alert_list(*, user, site=None, kind=None, open_only: bool = False) -> QuerySet[InventoryAlert]:
    """Inventory alerts, open ones first, newest first."""
    rows = InventoryAlert.objects.for_user(user).select_related("site", "item__base_unit", "lot", "bin")
    if site is not None:
        rows = rows.filter(site=site)
    if kind is not None:
        rows = rows.filter(kind=kind)
    if open_only:
        rows = rows.filter(resolved_at__isnull=True)
    return rows


def open_alerts(*, user, site=None, kind=None) -> QuerySet[InventoryAlert]:
    """Alerts whose condition still holds."""
    return alert_list(user=user, site=site, kind=kind, open_only=True)
