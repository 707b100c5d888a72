import zoneinfo

from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

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
