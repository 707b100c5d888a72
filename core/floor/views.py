"""What every shop-floor screen shares, in every module: the guard (signed in, allowed, working at
a site, not idle too long), the renderer that answers 400 with the cursor in the culprit field, and
signing in by badge, signing out and switching user on a shared tablet."""

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.floor.forms import BadgeSignInForm

# When the session last showed a shop-floor screen (seconds since the epoch).
SEEN_KEY = "floor_seen"
DEFAULT_IDLE_SECONDS = 300


def idle_seconds() -> int:
    """`FLOOR_IDLE_SIGNOUT_SECONDS`: a shared tablet signs out after this long unused (0: never)."""
    return int(getattr(settings, "FLOOR_IDLE_SIGNOUT_SECONDS", DEFAULT_IDLE_SECONDS))


def _idle_too_long(request) -> bool:
    limit = idle_seconds()
    seen = request.session.get(SEEN_KEY)
    return bool(limit and seen and time.time() - seen > limit)


def _sign_in_again(request, message: str):
    logout(request)
    messages.info(request, message)
    return redirect_to_login(request.get_full_path(), reverse("floor-sign-in"))


def floor_view(perm: str | None = None, *, site_required: bool = True):
    """A shop-floor screen: signed in, allowed to `perm`, working at a site, and used within the
    idle limit; a session left idle longer is signed out here, on the server, whatever the
    browser's countdown did."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("floor-sign-in"))
            if _idle_too_long(request):
                return _sign_in_again(request, _("Signed out: the tablet was not used for a while."))
            request.session[SEEN_KEY] = time.time()
            if perm and not request.user.has_perm(perm):
                raise PermissionDenied
            if site_required and request.site is None:
                return render(request, "core/floor/no_site.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def render_screen(request, template: str, context: dict):
    """Render a screen; a form with errors answers 400 and puts the cursor in the culprit field."""
    form = context.get("form")
    status = 200
    if form is not None:
        if form.is_bound and form.errors:
            status = 400
        focus = form.focus
        if focus:
            form.fields[focus].widget.attrs["autofocus"] = True
    return render(request, template, context, status=status)


class SignInView(LoginView):
    """Sign in on a shop-floor tablet: scan the badge (or type the user name), then the password."""

    template_name = "core/floor/sign_in.html"
    authentication_form = BadgeSignInForm

    def get_default_redirect_url(self):
        return reverse("tablet-home")

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[SEEN_KEY] = time.time()
        return response


@require_POST
def sign_out(request):
    """Sign out of a shared tablet. With `next` (switch user) the next person signs in and lands
    on the same screen."""
    logout(request)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect_to_login(target, reverse("floor-sign-in"))
    return redirect("floor-sign-in")


def still_here(request):
    """The screen was touched: the idle clock starts again (the countdown calls this)."""
    if not request.user.is_authenticated or _idle_too_long(request):
        return JsonResponse({"signed_in": False}, status=401)
    request.session[SEEN_KEY] = time.time()
    return JsonResponse({"signed_in": True, "idle_seconds": idle_seconds()})
