from core.models.approvals import (
    OPEN_APPROVAL_STATUSES,
    ApprovalDelegation,
    ApprovalRequest,
    ApprovalStatus,
    Urgency,
)
from core.models.audit import Signature, SignatureMeaning
from core.models.events import Event, OutboxMessage, Webhook
from core.models.imports import ImportJob, ImportStatus
from core.models.items import AbcClass, HazardClass, Item, ItemType, TemperatureClass, Tracking
from core.models.notes import Comment, SavedFilter
from core.models.organisation import Company, Currency, ExchangeRate, Site
from core.models.partners import Partner
from core.models.units import Dimension, Unit, UnitConversion
from core.models.users import Role, User

__all__ = [
    "OPEN_APPROVAL_STATUSES",
    "AbcClass",
    "ApprovalDelegation",
    "ApprovalRequest",
    "ApprovalStatus",
    "Comment",
    "Company",
    "Currency",
    "Dimension",
    "Event",
    "ExchangeRate",
    "HazardClass",
    "ImportJob",
    "ImportStatus",
    "Item",
    "ItemType",
    "OutboxMessage",
    "Partner",
    "Role",
    "SavedFilter",
    "Signature",
    "SignatureMeaning",
    "Site",
    "TemperatureClass",
    "Tracking",
    "Unit",
    "UnitConversion",
    "Urgency",
    "User",
    "Webhook",
]
