"""Reads of saved list filters: only ever the user's own."""

from django.db.models import QuerySet

from core.models import SavedFilter


def saved_filters(*, user, path: str | None = None) -> QuerySet[SavedFilter]:
    if not user or not user.is_authenticated:
        return SavedFilter.objects.none()
    rows = SavedFilter.objects.filter(user=user)
    return rows.filter(path=path) if path is not None else rows
