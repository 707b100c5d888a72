from wms.models.adjustments import AdjustmentReason, AdjustmentStatus, StockAdjustment
from wms.models.alerts import AlertKind, AlertSeverity, InventoryAlert
from wms.models.counting import CountSchedule, CountStatus, CountTask
from wms.models.inbound import ExpectedReceipt, ExpectedReceiptLine, ReceiptStatus
from wms.models.locations import Bin, Warehouse, Zone, ZoneKind
from wms.models.lots import USABLE_LOT_STATUSES, Lot, LotStatus
from wms.models.picking import HOLDING_LIST_STATUSES, PickLine, PickLineStatus, PickList, PickListStatus, PickPurpose
from wms.models.stock import ImmutableRecord, MoveKind, StockMove, StockPolicy, StockQuant

__all__ = [
    "HOLDING_LIST_STATUSES",
    "USABLE_LOT_STATUSES",
    "AdjustmentReason",
    "AdjustmentStatus",
    "AlertKind",
    "AlertSeverity",
    "Bin",
    "CountSchedule",
    "CountStatus",
    "CountTask",
    "ExpectedReceipt",
    "ExpectedReceiptLine",
    "ImmutableRecord",
    "InventoryAlert",
    "Lot",
    "LotStatus",
    "MoveKind",
    "PickLine",
    "PickLineStatus",
    "PickList",
    "PickListStatus",
    "PickPurpose",
    "ReceiptStatus",
    "StockAdjustment",
    "StockMove",
    "StockPolicy",
    "StockQuant",
    "Warehouse",
    "Zone",
    "ZoneKind",
]
