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


class SiteScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        site_ids = user_site_ids(user)
        if site_ids is None:
            return self
        field = getattr(self.model, "site_field", "site")
        lookup = f"{field}__in" if field else "pk__in"
        return self.filter(**{lookup: site_ids})

    def for_site(self, site):
        field = getattr(self.model, "site_field", "site")
        return self.filter(**{field or "pk": site})
