from mes.models.calendars import Holiday, PlannedDowntime, Shift, ShiftBreak, ShiftCalendar
from mes.models.definitions import BOM, BOMLine, DefinitionStatus, Routing, RoutingOperation
from mes.models.instructions import WorkInstruction
from mes.models.plant import (
    UNAVAILABLE_STATES,
    Area,
    Equipment,
    EquipmentClass,
    EquipmentState,
    EquipmentStateRecord,
    IdealCycleTime,
    WorkCentre,
)
from mes.models.production import ProductionReport, ReportConsumption, ReportOutput
from mes.models.reasons import DowntimeReason, ScrapReason
from mes.models.reservations import WorkOrderReservation
from mes.models.work_orders import (
    Operation,
    OperationPause,
    OperationStatus,
    WorkOrder,
    WorkOrderMaterial,
    WorkOrderStatus,
)

__all__ = [
    "BOM",
    "UNAVAILABLE_STATES",
    "Area",
    "BOMLine",
    "DefinitionStatus",
    "DowntimeReason",
    "Equipment",
    "EquipmentClass",
    "EquipmentState",
    "EquipmentStateRecord",
    "Holiday",
    "IdealCycleTime",
    "Operation",
    "OperationPause",
    "OperationStatus",
    "PlannedDowntime",
    "ProductionReport",
    "ReportConsumption",
    "ReportOutput",
    "Routing",
    "RoutingOperation",
    "ScrapReason",
    "Shift",
    "ShiftBreak",
    "ShiftCalendar",
    "WorkCentre",
    "WorkInstruction",
    "WorkOrder",
    "WorkOrderMaterial",
    "WorkOrderReservation",
    "WorkOrderStatus",
]
