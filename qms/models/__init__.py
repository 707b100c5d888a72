from qms.models.characteristics import Characteristic, CharacteristicKind, ChartKind, Stage
from qms.models.holds import HoldReason, HoldStatus, HoldTarget, QualityHold
from qms.models.inspections import OPEN_INSPECTION_STATUSES, InspectionStatus, InspectionTask
from qms.models.measurements import Measurement, MeasurementSource
from qms.models.plans import InspectionLevel, InspectionPlan, SamplingMethod
from qms.models.spc import ControlLimits, SpcColour, SpcStatus

__all__ = [
    "OPEN_INSPECTION_STATUSES",
    "Characteristic",
    "CharacteristicKind",
    "ChartKind",
    "ControlLimits",
    "HoldReason",
    "HoldStatus",
    "HoldTarget",
    "InspectionLevel",
    "InspectionPlan",
    "InspectionStatus",
    "InspectionTask",
    "Measurement",
    "MeasurementSource",
    "QualityHold",
    "SamplingMethod",
    "SpcColour",
    "SpcStatus",
    "Stage",
]
