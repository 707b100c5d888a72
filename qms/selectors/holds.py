"""Reads of quality holds, shared by the API, the pages and the quality dashboard."""

from django.db.models import QuerySet

from qms.models import QualityHold

HOLD_RELATED = (
    "site",
    "lot__item",
    "equipment__work_centre",
    "work_order__item",
    "placed_by",
    "released_by",
    "characteristic",
)


def hold_list(*, user) -> QuerySet[QualityHold]:
    """The holds of the user's sites, newest first, with what a list row shows."""
    return QualityHold.objects.for_user(user).select_related(*HOLD_RELATED).order_by("-placed_at", "-id")
