"""The sign-in lockout per account (django-axes), shared by the login form, the API and
electronic signatures.

An account is named by its user name or its badge id; both count toward the same lockout, and a
success with either clears it (`account_username` is AXES_USERNAME_CALLABLE). A wrong password on
an electronic signature is a failed sign-in of that account, and a locked account cannot sign.

A signature is checked inside the transaction of the decision it approves, which rolls back when
the password is wrong; so the failure is written once that transaction is over, by
`SignatureFailureMiddleware` for web and API requests (or at once when no transaction is open).
"""

import contextvars
import logging

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import connection, transaction
from django.http import HttpRequest

log = logging.getLogger(__name__)

_request: contextvars.ContextVar = contextvars.ContextVar("lockout_request", default=None)
_pending: contextvars.ContextVar = contextvars.ContextVar("lockout_pending", default=None)


def account_username(request, credentials=None) -> str | None:
    """The user name of the account an identifier (user name or badge id) names."""
    from core.models import User

    identifier = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if identifier is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        identifier = data.get(settings.AXES_USERNAME_FORM_FIELD) if hasattr(data, "get") else None
    if not identifier or not isinstance(identifier, str) or "\x00" in identifier:
        return identifier
    badge_user = User.objects.filter(badge_id=identifier).values_list("username", flat=True).first()
    return badge_user or identifier


def _current_request() -> HttpRequest:
    """The request being served, or a bare one (a command, a task) with no client address."""
    request = _request.get()
    if request is None:
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = ""
        request.path = request.path_info = "signature"
    return request


def is_locked_out(user) -> bool:
    """The account is locked out by repeated failures (sign-in or signature)."""
    if not settings.AXES_ENABLED:
        return False
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.is_locked(_current_request(), {"username": user.get_username()})


def record_signature_failure(*, user, record) -> None:
    """Count a wrong signature password toward the account's lockout and log it for the audit
    trail (the axes failure log and the `core.signature.failed` event)."""
    failure = {"username": user.get_username(), "user_id": user.pk, "record": _record_label(record)}
    pending = _pending.get()
    if pending is not None and connection.in_atomic_block:
        pending.append(failure)
    else:
        _write_failure(_current_request(), failure)


def _record_label(record) -> dict:
    return {
        "label": record._meta.label_lower,
        "pk": str(record.pk),
        "site": getattr(getattr(record, "site", None), "pk", None),
    }


def _write_failure(request, failure: dict) -> None:
    from core.events import publish
    from core.models import Site

    record = failure["record"]
    log.warning("Signature refused for %s on %s:%s", failure["username"], record["label"], record["pk"])
    user_login_failed.send(sender=__name__, credentials={"username": failure["username"]}, request=request)
    with transaction.atomic():
        publish(
            "core.signature.failed",
            {"user": failure["username"], "record": f"{record['label']}:{record['pk']}"},
            site=Site.objects.filter(pk=record["site"]).first() if record["site"] else None,
            live=False,
        )


class SignatureFailureMiddleware:
    """Writes the signature failures of a request once its transactions are over."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending: list = []
        request_token = _request.set(request)
        pending_token = _pending.set(pending)
        try:
            return self.get_response(request)
        finally:
            _pending.reset(pending_token)
            for failure in pending:
                _write_failure(request, failure)
            _request.reset(request_token)
