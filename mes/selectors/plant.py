"""Reads of the plant, definitions, work orders and reports, scoped to the user's sites; the API,
pages and dashboards share them."""

from django.db.models import Prefetch, QuerySet

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
