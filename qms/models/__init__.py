from qms.models.characteristics import Characteristic, CharacteristicKind, ChartKind, Stage
from qms.models.measurements import Measurement, MeasurementSource
from qms.models.plans import InspectionLevel, InspectionPlan, SamplingMethod

__all__ = [
    "Characteristic",
    "CharacteristicKind",
    "ChartKind",
    "InspectionLevel",
    "InspectionPlan",
    "Measurement",
    "MeasurementSource",
    "SamplingMethod",
    "Stage",
]
