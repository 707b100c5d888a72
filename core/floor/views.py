"""What every shop-floor screen shares, in every module: the guard (signed in, allowed, working at
a site) and the renderer that answers 400 with the cursor in the culprit field."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def floor_view(perm: str):
    """A shop-floor screen: signed in, allowed to `perm`, and working at a site."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            if request.site is None:
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
