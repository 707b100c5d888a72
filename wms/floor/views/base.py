"""What every shop-floor screen shares: the guard, the renderer that answers 400 with the cursor in
the culprit field, and the wording of a done move."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from wms.models import (
    StockMove,
)
from wms.quantities import plain_quantity

REFERENCE = "floor"


def floor_view(perm: str):
    """A shop-floor screen: signed in, allowed to `perm`, and working at a site."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            if request.site is None:
                return render(request, "wms/tablet/no_site.html", status=403)
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


def describe_move(done: StockMove) -> str:
    return _("Moved %(quantity)s %(unit)s of %(item)s%(lot)s from %(from)s to %(to)s.") % {
        "quantity": plain_quantity(done.quantity),
        "unit": done.item.base_unit.code,
        "item": done.item.code,
        "lot": f" · {done.lot.code}" if done.lot else "",
        "from": done.from_bin.code,
        "to": done.to_bin.code,
    }


def record_ids(params, *names) -> dict[str, int | None]:
    """Record ids named in the query string; anything but digits is a record that does not exist."""
    ids = {}
    for name in names:
        value = params.get(name, "")
        if value and not (value.isascii() and value.isdigit()):
            raise Http404
        ids[name] = int(value) if value else None
    return ids
