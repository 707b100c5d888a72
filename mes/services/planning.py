"""The plan the dispatch lists follow: written by the scheduler when a schedule is released.

mes knows nothing of schedules (scheduling sits above it): the scheduler hands over rows of
(operation, equipment, start, end), and this writes them in one statement per batch.
"""

from django.db import transaction

from core.scoping import require_site_access
from mes.models import Operation
from mes.selectors.dispatch import OPEN_OPERATION


def apply_plan(*, site, rows: list[tuple[int, int, object, object]], user=None) -> int:
    """Make `rows` ((operation_id, equipment_id, start, end)) the plan of `site`'s open operations;
    open operations not in `rows` lose their plan. Returns how many operations were planned."""
    require_site_access(user, site)
    by_id = {row[0]: row for row in rows}
    with transaction.atomic():
        open_ops = Operation.objects.filter(work_order__site=site, status__in=OPEN_OPERATION)
        open_ops.exclude(pk__in=list(by_id)).exclude(planned_start__isnull=True).update(
            planned_equipment=None, planned_start=None, planned_end=None
        )
        operations = list(open_ops.filter(pk__in=list(by_id)).order_by("pk").select_for_update(of=("self",)))
        for operation in operations:
            _, equipment_id, start, end = by_id[operation.pk]
            operation.planned_equipment_id, operation.planned_start, operation.planned_end = equipment_id, start, end
        Operation.objects.bulk_update(
            operations, ["planned_equipment", "planned_start", "planned_end"], batch_size=1000
        )
    return len(operations)
