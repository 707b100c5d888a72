"""The warehouse's domain errors (codes are part of the API contract)."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    default_message = _("Not enough stock at the source.")


class LotNotAvailable(DomainError):
    code = "lot_not_available"
    default_message = _("This lot cannot be used: it is not available.")


class BinBlocked(DomainError):
    code = "bin_blocked"
    default_message = _("This bin is blocked.")


class BinOverCapacity(DomainError):
    code = "bin_over_capacity"
    default_message = _("The bin has no room for this quantity.")


class ZoneRuleViolation(DomainError):
    code = "zone_rule"
    default_message = _("This item may not be stored in this zone.")
