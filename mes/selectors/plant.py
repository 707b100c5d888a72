"""Reads of the plant, definitions, work orders and reports, scoped to the user's sites; the API,
pages and dashboards share them."""

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from core import rows
from core.scoping import user_site_ids
from mes.models import BOM, BOMLine, Equipment, Operation, ProductionReport, Routing, WorkCentre, WorkOrder


def work_centre_list(*, user) -> QuerySet[WorkCentre]:
    return WorkCentre.objects.for_user(user).select_related("site", "area", "output_bin", "line_side_bin", "calendar")


def equipment_list(*, user) -> QuerySet[Equipment]:
    return Equipment.objects.for_user(user).select_related("site", "work_centre", "equipment_class")


def bom_list(*, user) -> QuerySet[BOM]:
    lines = BOMLine.objects.select_related("component", "unit").order_by("line_no")
    return BOM.objects.for_user(user).select_related("site", "item").prefetch_related(Prefetch("lines", lines))


def routing_list(*, user) -> QuerySet[Routing]:
    return (
        Routing.objects.for_user(user)
        .select_related("site", "item")
        .prefetch_related("operations__work_centre", "operations__eligible_equipment", "operations__materials")
    )


def work_order_list(*, user) -> QuerySet[WorkOrder]:
    return (
        WorkOrder.objects.for_user(user)
        .select_related("site", "item__base_unit", "unit", "bom", "routing")
        .prefetch_related(Prefetch("operations", Operation.objects.only("id", "work_order_id", "sequence")))
    )


# What the API's work-order rows show, and nothing more: the related records' codes and
# versions, the operations' ids in sequence from one subquery per row of the page.
WORK_ORDER_ROW_FIELDS = (
    "id",
    "number",
    "quantity",
    "due",
    "priority",
    "status",
    "reference",
    "good",
    "scrap",
    "released_at",
    "started_at",
    "completed_at",
    "created_at",
    "site__code",
    "item__code",
    "unit__code",
    "bom__version",
    "routing__version",
)


def work_order_rows(*, user) -> QuerySet[WorkOrder]:
    """`work_order_list` for a page of the API list: the fields it answers with only, and the
    operations' ids as `operation_ids` (no operation rows)."""
    operation_ids = (
        Operation.objects.filter(work_order=OuterRef("pk"))
        .order_by()
        .values("work_order")
        .annotate(ids=ArrayAgg("id", order_by="sequence"))
        .values("ids")
    )
    return (
        WorkOrder.objects.for_user(user)
        .select_related("site", "item", "unit", "bom", "routing")
        .only(*WORK_ORDER_ROW_FIELDS)
        .annotate(operation_ids=Subquery(operation_ids))
    )


def operation_list(*, user) -> QuerySet[Operation]:
    return Operation.objects.for_user(user).select_related(
        "work_order__site", "work_order__item__base_unit", "work_centre", "equipment"
    )


def report_list(*, user) -> QuerySet[ProductionReport]:
    return (
        ProductionReport.objects.for_user(user)
        .select_related(
            "operation", "work_order", "site", "equipment", "scrap_reason", "user", "work_order__item__base_unit"
        )
        .prefetch_related("consumed__item", "consumed__lot", "consumed__bin", "outputs__lot", "outputs__bin")
    )


def operation_with_order(*, user, pk: int) -> Operation | None:
    """The operation `pk` with its work order, as `Operation.objects.for_user(user)
    .select_related("work_order")` loads it, or None when it is unknown or of another site.

    One plain statement: a production report names its operation by id, and the ORM's lookup of
    it cost a sixth of the whole report."""
    site_ids = user_site_ids(user)
    scope, scope_params = ("", []) if site_ids is None else (" AND w.site_id = ANY(%s)", [sorted(site_ids)])
    sql = (
        f"SELECT {rows.columns(Operation, 'o')}, {rows.columns(WorkOrder, 'w')} "  # noqa: S608 - placeholders only
        f"FROM {Operation._meta.db_table} o JOIN {WorkOrder._meta.db_table} w ON w.id = o.work_order_id "
        f"WHERE o.id = %s{scope}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, *scope_params])
        found = cursor.fetchone()
    if found is None:
        return None
    operation = rows.instance(Operation, found[: rows.width(Operation)])
    operation.work_order = rows.instance(WorkOrder, found[rows.width(Operation) :])
    return operation
