"""Site scoping: the one place that decides which rows a user may read and change.

Every site-bound model names the path to its site (`site_field`, e.g. "warehouse__site") and uses
`SiteScopedQuerySet`; selectors call `.for_user(user)`, so the API and the web pages see exactly
the same rows (another site's record answers 404 in both).
"""

from django.db import models


def user_site_ids(user) -> set[int] | None:
    """The ids of the sites a user works at, or None when the user sees every site."""
    if not user or not user.is_authenticated:
        return set()
    if user.is_superuser or user.has_role("admin"):
        return None
    cached = getattr(user, "_site_ids_cache", None)
    if cached is None:
        cached = set(user.sites.values_list("id", flat=True))
        user._site_ids_cache = cached
    return cached


def _path_is_multi_valued(model, path: str) -> bool:
    """True when `path` crosses a to-many relation (a company's `sites`): a join on it repeats rows."""
    for name in path.split("__") if path else ():
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


class SiteScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        """The rows of the user's sites (all rows for admins), each once.

        A path through a to-many relation (a company belongs to every site it has) is filtered
        in a subquery: a join would repeat the row once per site, and `get()` on it (a code
        lookup, a form's choice) would fail with "returned more than one".
        """
        site_ids = user_site_ids(user)
        if site_ids is None:
            return self
        field = getattr(self.model, "site_field", "site")
        lookup = f"{field}__in" if field else "pk__in"
        if _path_is_multi_valued(self.model, field):
            return self.filter(pk__in=self.model._base_manager.filter(**{lookup: site_ids}).values("pk"))
        return self.filter(**{lookup: site_ids})

    def for_site(self, site):
        field = getattr(self.model, "site_field", "site")
        return self.filter(**{field or "pk": site})


def require_site_access(user, site_or_id, *, message=None) -> None:
    """Refuse (as "not found", like any other site's record) when `user` does not work at the site.

    Services call it before acting on a site named by the caller; `user=None` is the system."""
    from django.utils.translation import gettext as _

    from core.errors import NotFound

    if user is None:
        return
    site_id = getattr(site_or_id, "pk", site_or_id)
    allowed = user_site_ids(user)
    if allowed is not None and site_id not in allowed:
        raise NotFound(message or _("Unknown site."))
