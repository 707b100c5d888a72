"""Saved list filters: a user names a list's query string and picks it again later."""

from urllib.parse import parse_qsl, urlencode

from django.utils.translation import gettext as _

from core.errors import NotFound, ValidationFailed
from core.models import SavedFilter

MAX_PER_LIST = 30
# What belongs to the page, not to the filter: paging and downloads are never saved.
_NOT_SAVED = {"page", "export", "saved_filter"}


def clean_query(query: str) -> str:
    """The query string without paging and export parameters, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query or "", keep_blank_values=False) if k not in _NOT_SAVED]
    return urlencode(sorted(pairs))


def _clean_path(path: str) -> str:
    path = (path or "").strip()
    if not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 200 or not path.isprintable():
        raise ValidationFailed(_("This is not a list of ours."), field="path")
    return path


def save_filter(*, user, path: str, name: str, query: str) -> SavedFilter:
    """Save (or replace, under the same name) the filter `query` of the list at `path`.

    One statement (INSERT ... ON CONFLICT UPDATE) so two saves at once of the same name leave
    one saved filter, the last one's query."""
    path = _clean_path(path)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("Give the filter a name."), field="name")
    if len(name) > 80:
        raise ValidationFailed(_("A filter's name has at most 80 characters."), field="name")
    if not name.isprintable():
        raise ValidationFailed(_("A filter's name cannot hold control characters."), field="name")
    query = clean_query(query)
    if len(query) > 2000:
        raise ValidationFailed(_("This filter is too long to save."), field="query")
    if not query:
        raise ValidationFailed(_("Set a filter before saving it."), field="query")
    existing = SavedFilter.objects.filter(user=user, path=path)
    if existing.count() >= MAX_PER_LIST and not existing.filter(name=name).exists():
        raise ValidationFailed(
            _("At most %(n)d saved filters per list: delete one first.") % {"n": MAX_PER_LIST}, field="name"
        )
    SavedFilter.objects.bulk_create(
        [SavedFilter(user=user, path=path, name=name, query=query)],
        update_conflicts=True,
        unique_fields=["user", "path", "name"],
        update_fields=["query"],
    )
    return SavedFilter.objects.get(user=user, path=path, name=name)


def delete_filter(*, user, pk) -> None:
    """Delete one of the user's own saved filters (another user's is "not found")."""
    deleted, _count = SavedFilter.objects.filter(user=user, pk=pk).delete()
    if not deleted:
        raise NotFound(_("No such saved filter."))
