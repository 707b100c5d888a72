"""`{% comments_panel record %}`: the comments and attached files of any registered record, with
the form to add one, for any app's detail pages."""

from django import template

from core import records
from core.note_forms import CommentForm
from core.note_views import record_key
from core.selectors.comments import comments_on
from core.services.comments import FILE_TYPES, max_upload_bytes

register = template.Library()


@register.inclusion_tag("core/_comments.html", takes_context=True)
def comments_panel(context, record):
    """The page already checked the user may see `record`."""
    request = context["request"]
    if record is None or not records.is_registered(record):
        return {"enabled": False}
    return {
        "enabled": True,
        "request": request,
        "comments": list(comments_on(user=request.user, record=record)),
        "form": CommentForm(record_key=record_key(record), initial={"next": request.get_full_path()}),
        "accept": ",".join(f".{ext}" for ext in sorted(FILE_TYPES)),
        "max_bytes": max_upload_bytes(),
        "user": request.user,
        "is_admin": request.user.is_superuser or request.user.has_role("admin"),
        "csrf_token": context.get("csrf_token"),
    }
