"""`{% audit_trail record %}`: the history and signatures of any record, for any app's pages."""

from django import template

from core.selectors.audit import audit_trail as build_audit_trail

register = template.Library()


@register.inclusion_tag("core/_audit_trail.html", takes_context=True)
def audit_trail(context, record, limit=200):
    """Render the audit trail of `record`; the page already checked the user may see it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"trail": build_audit_trail(record=record, user=user, limit=limit), "record": record}
