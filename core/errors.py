"""Domain errors. Services raise them; the API handler and the UI middleware map them to
responses (409 by default) and form messages. Each carries a stable machine-readable code."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A business rule refused the request. `code` is stable; `message` is for people."""

    code = "domain_error"
    status = 409
    default_message = _("The request conflicts with the current state.")

    def __init__(self, message=None, *, code=None, field=None, params=None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.field = field
        self.params = params or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        data = {"detail": str(self.message), "code": self.code}
        if self.field:
            data["field"] = self.field
        return data


class ValidationFailed(DomainError):
    """Input that is well-formed but not acceptable (400). `field` names the culprit."""

    code = "invalid"
    status = 400
    default_message = _("The data is not valid.")


class NotFound(DomainError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403
    default_message = _("You do not have permission to do this.")


class InvalidTransition(DomainError):
    """A state machine was asked for a transition its table does not allow."""

    code = "invalid_transition"
    status = 409
    default_message = _("This change of status is not allowed.")


class RecordInUse(DomainError):
    """A delete refused because other records still refer to this one."""

    code = "protected"
    status = 409
    default_message = _("This record is in use and cannot be deleted.")


class SignatureInvalid(DomainError):
    code = "signature_invalid"
    status = 403
    default_message = _("The electronic signature could not be verified.")
