"""Statistical process control: control-chart constants, charts, Nelson rules and capability.

Plain numpy/pandas/scipy with no Django, so the service, the API, the command and the
benchmarks share one implementation.
"""

from .charts import ATTRIBUTE_CHARTS, CHARTS, VARIABLES_CHARTS, ChartResult, analyze
from .errors import SpcDataError

__all__ = ["ATTRIBUTE_CHARTS", "CHARTS", "VARIABLES_CHARTS", "ChartResult", "SpcDataError", "analyze"]
