from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse


def _entries(user, entries):
    visible = []
    for entry in entries:
        if entry.get("perm") and not user.has_perm(entry["perm"]):
            continue
        if entry.get("roles") and not user.has_role(*entry["roles"]):
            continue
        try:
            url = reverse(entry["url"])
        except NoReverseMatch:
            continue
        visible.append({**entry, "href": url})
    return visible


def shell(request):
    """Navigation per module (only what the user may see), the user's sites and the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from core.floor.views import idle_seconds
    from core.models import Site

    nav, tablet = [], []
    for config in apps.get_app_configs():
        items = _entries(user, getattr(config, "nav", []))
        if items:
            nav.append({"label": config.verbose_name, "app": config.label, "items": items})
        tablet.extend(_entries(user, getattr(config, "tablet", [])))
    from core.approval_views import approver_roles
    from core.selectors.approvals import pending_count

    approver = bool(approver_roles(user))
    return {
        "approvals_inbox": approver,
        "approvals_pending": pending_count(user=user) if approver else 0,
        "nav_sections": nav,
        "tablet_actions": tablet,
        "user_sites": Site.objects.for_user(user).filter(active=True),
        "current_site": getattr(request, "site", None),
        "live_socket_url": settings.LIVE_SOCKET_URL,
        "floor_idle_seconds": idle_seconds(),
    }
