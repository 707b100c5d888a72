import sys
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults

from core.errors import DomainError, RecordInUse

SESSION_SITE_KEY = "current_site"


class SiteTimezoneMiddleware:
    """Pick the user's current site (session, else the first of their sites) and show times in
    its time zone. `request.site` is None for users with no site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.site = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from core.models import Site

            sites = Site.objects.for_user(user).filter(active=True).select_related("company")
            code = request.session.get(SESSION_SITE_KEY)
            site = sites.filter(code=code).first() if code else None
            request.site = site or sites.first()
        if request.site is not None:
            timezone.activate(zoneinfo.ZoneInfo(request.site.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class DomainErrorMiddleware:
    """A refused business rule on a web page becomes a message on the page it came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ProtectedError | RestrictedError):  # a delete outside the services
            exception = RecordInUse()
        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        messages.error(request, str(exception.message))
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "/"
        return redirect(back)


# SQLSTATE classes of a database that cannot serve at all: connection exception, insufficient
# resources (too many connections, disk full), operator intervention (shutting down, starting).
_UNAVAILABLE_SQLSTATE_CLASSES = {"08", "53", "57"}


def database_unavailable(exc: BaseException) -> bool:
    """The database refused the connection or went away; not a statement it refused (a deadlock,
    a lock timeout), which keeps its own answer."""
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    code = getattr(exc.__cause__, "pgcode", None)
    return code is None or code[:2] in _UNAVAILABLE_SQLSTATE_CLASSES


def database_unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: JSON `{"detail", "code"}` for the API, the styled page for people.

    The page is rendered without the request's context processors, which would ask the database."""
    if request.path.startswith("/api/"):
        body = {"detail": _("The database is unavailable. Try again shortly."), "code": "database_unavailable"}
        response = JsonResponse(body, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": _retry_after()}), status=503)
    response["Retry-After"] = str(_retry_after())
    return response


def _retry_after() -> int:
    return settings.DATABASE_UNAVAILABLE_RETRY_AFTER


class DatabaseUnavailableMiddleware:
    """A page whose view finds the database down answers 503 with the "database unavailable"
    page. Failures in the middleware before the view reach `server_error` (handler500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if database_unavailable(exception):
            return database_unavailable_response(request)
        return None


def server_error(request, *args, **kwargs):
    """handler500: 503 when the cause is the database being unavailable, else Django's 500."""
    exc = sys.exc_info()[1]
    if exc is not None and database_unavailable(exc):
        return database_unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
