from mes.models.alerts import (
    OPEN_ALERT_STATUSES,
    Alert,
    AlertCondition,
    AlertRule,
    AlertRuleState,
    AlertSeverity,
    AlertStatus,
)
from mes.models.calendars import Holiday, PlannedDowntime, Shift, ShiftBreak, ShiftCalendar
from mes.models.definitions import BOM, BOMLine, DefinitionStatus, Routing, RoutingOperation
from mes.models.instructions import WorkInstruction
from mes.models.opcua import NodeCarries, OpcUaEndpoint, OpcUaNode, SecurityMode, SecurityPolicy
from mes.models.parameters import ProcessParameter
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
from mes.models.telemetry import (
    DeadLetter,
    DeadLetterReason,
    IngestCounter,
    IngestedMessage,
    TelemetryLatest,
    TelemetryMinute,
    TelemetrySample,
)
from mes.models.work_orders import (
    Operation,
    OperationPause,
    OperationStatus,
    WorkOrder,
    WorkOrderMaterial,
    WorkOrderStatus,
)
from mes.models.workforce import Changeover, ItemSetupFamily, LabourPool

__all__ = [
    "BOM",
    "OPEN_ALERT_STATUSES",
    "UNAVAILABLE_STATES",
    "Alert",
    "AlertCondition",
    "AlertRule",
    "AlertRuleState",
    "AlertSeverity",
    "AlertStatus",
    "Area",
    "BOMLine",
    "Changeover",
    "DeadLetter",
    "DeadLetterReason",
    "DefinitionStatus",
    "DowntimeReason",
    "Equipment",
    "EquipmentClass",
    "EquipmentState",
    "EquipmentStateRecord",
    "Holiday",
    "IdealCycleTime",
    "IngestCounter",
    "IngestedMessage",
    "ItemSetupFamily",
    "LabourPool",
    "NodeCarries",
    "OpcUaEndpoint",
    "OpcUaNode",
    "Operation",
    "OperationPause",
    "OperationStatus",
    "PlannedDowntime",
    "ProcessParameter",
    "ProductionReport",
    "ReportConsumption",
    "ReportOutput",
    "Routing",
    "RoutingOperation",
    "ScrapReason",
    "SecurityMode",
    "SecurityPolicy",
    "Shift",
    "ShiftBreak",
    "ShiftCalendar",
    "TelemetryLatest",
    "TelemetryMinute",
    "TelemetrySample",
    "WorkCentre",
    "WorkInstruction",
    "WorkOrder",
    "WorkOrderMaterial",
    "WorkOrderReservation",
    "WorkOrderStatus",
]
