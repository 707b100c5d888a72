from qms.models.characteristics import Characteristic, CharacteristicKind, ChartKind, Stage
from qms.models.holds import HoldReason, HoldStatus, HoldTarget, QualityHold
from qms.models.measurements import Measurement, MeasurementSource
from qms.models.plans import InspectionLevel, InspectionPlan, SamplingMethod
from qms.models.spc import ControlLimits, SpcColour, SpcStatus

__all__ = [
    "Characteristic",
    "CharacteristicKind",
    "ChartKind",
    "ControlLimits",
    "HoldReason",
    "HoldStatus",
    "HoldTarget",
    "InspectionLevel",
    "InspectionPlan",
    "Measurement",
    "MeasurementSource",
    "QualityHold",
    "SamplingMethod",
    "SpcColour",
    "SpcStatus",
    "Stage",
]
