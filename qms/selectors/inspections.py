"""Reads of inspection tasks, scoped to the user's sites, shared by the API, the desk list, the QC
station and the operator terminal's banner."""

from django.db.models import QuerySet

from qms.models import OPEN_INSPECTION_STATUSES, InspectionTask, Measurement


def task_list(*, user) -> QuerySet[InspectionTask]:
    return InspectionTask.objects.for_user(user).select_related(
        "site", "plan", "item", "item__base_unit", "lot", "operation", "work_order", "equipment", "decided_by"
    )


def open_tasks(*, user, site) -> QuerySet[InspectionTask]:
    """The tasks still to inspect at `site`, oldest first."""
    return task_list(user=user).filter(site=site, status__in=OPEN_INSPECTION_STATUSES).order_by("created_at", "pk")


def due_on_equipment(*, user, equipment) -> QuerySet[InspectionTask]:
    """Open in-process tasks of a machine (the operator terminal shows them as a banner)."""
    return open_tasks(user=user, site=equipment.site).filter(equipment=equipment, stage="in_process")


def task_characteristics(task: InspectionTask):
    """The characteristics to inspect, with their unit, in code order."""
    return task.plan.characteristics.filter(active=True).select_related("unit").order_by("code")


def task_measurements(task: InspectionTask) -> QuerySet[Measurement]:
    return Measurement.objects.filter(inspection_task=task).select_related("characteristic", "recorded_by")
