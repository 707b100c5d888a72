from qms.models.characteristics import Characteristic, CharacteristicKind, ChartKind, Stage
from qms.models.inspections import OPEN_INSPECTION_STATUSES, InspectionStatus, InspectionTask
from qms.models.measurements import Measurement, MeasurementSource
from qms.models.plans import InspectionLevel, InspectionPlan, SamplingMethod

__all__ = [
    "OPEN_INSPECTION_STATUSES",
    "Characteristic",
    "CharacteristicKind",
    "ChartKind",
    "InspectionLevel",
    "InspectionPlan",
    "InspectionStatus",
    "InspectionTask",
    "Measurement",
    "MeasurementSource",
    "SamplingMethod",
    "Stage",
]
