"""What quality subscribes to: goods received for inspection, production output and counts
(final and in-process inspections), and gauge values arriving as machine-data tags."""

from decimal import Decimal

from core.events import on_signal, subscribe
from mes.models import Operation, ProductionReport
from qms.models import Stage
from qms.services import inspections
from wms.models import Lot


@subscribe("wms.receipt.inspection_required")
def open_incoming_inspection(event) -> None:
    """A lot received into quarantine: one incoming task per active plan of its item."""
    payload = event.payload
    if not payload.get("lot"):
        return
    lot = Lot.objects.select_related("item", "site").get(
        site_id=event.site_id, item__code=payload["item"], code=payload["lot"]
    )
    inspections.open_lot_inspections(lot=lot, stage=Stage.INCOMING)


@subscribe("mes.production.reported")
def open_production_inspections(event) -> None:
    """Output of an item with a final plan goes to quarantine with a final task; good units past
    a multiple of an in-process plan's N open an in-process task."""
    payload = event.payload
    report = ProductionReport.objects.select_related("user").get(pk=payload["report"])
    operation = Operation.objects.select_related("work_order__item", "work_order__site", "equipment").get(
        pk=payload["operation"]
    )
    good = Decimal(payload["good"])
    if good > 0:
        after = Decimal(payload["operation_good"])
        inspections.open_unit_inspections(operation=operation, good_before=after - good, good_after=after)
    for produced in payload.get("produced", []):
        if produced.get("lot"):
            lot = Lot.objects.select_related("item", "site").get(
                site_id=event.site_id, item=operation.work_order.item, code=produced["lot"]
            )
            inspections.open_final_inspections(lot=lot, user=report.user)


@on_signal("mes.telemetry")
def record_gauge_tags(records) -> int:
    return inspections.record_machine_values(records)
