"""The finite-capacity scheduling engine: plain Python over OR-Tools CP-SAT, no Django."""

from .analysis import Analysis, InfeasibleModel, ModelError, analyse
from .checks import check_schedule, evaluate, labour_and_changeovers
from .dispatch import RULES, dispatch
from .model import Assignment, Job, LabourPool, Machine, Model, Operation, Precedence, Schedule
from .solver import NoScheduleFound, Progress, explain_infeasibility, solve

__all__ = [
    "RULES",
    "Analysis",
    "Assignment",
    "InfeasibleModel",
    "Job",
    "LabourPool",
    "Machine",
    "Model",
    "ModelError",
    "NoScheduleFound",
    "Operation",
    "Precedence",
    "Progress",
    "Schedule",
    "analyse",
    "check_schedule",
    "dispatch",
    "evaluate",
    "explain_infeasibility",
    "labour_and_changeovers",
    "solve",
]
