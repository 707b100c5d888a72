from qms.models.characteristics import Characteristic, CharacteristicKind, ChartKind, Stage
from qms.models.measurements import Measurement, MeasurementSource
from qms.models.plans import InspectionLevel, InspectionPlan, SamplingMethod
from qms.models.spc import ControlLimits, SpcColour, SpcStatus

__all__ = [
    "Characteristic",
    "CharacteristicKind",
    "ChartKind",
    "ControlLimits",
    "InspectionLevel",
    "InspectionPlan",
    "Measurement",
    "MeasurementSource",
    "SamplingMethod",
    "SpcColour",
    "SpcStatus",
    "Stage",
]
