"""One search box for the whole desk: a code, a document number or a scanned label opens the
record it names.

Each app declares a provider on its AppConfig (`search = "wms.search.find_records"`): a function
`(*, user, text) -> list[SearchHit]` that looks the text up in the records the user may see
(the same site-scoped selectors its pages use). Core knows no app by name.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

# Enough for a person to scan the list; a vaguer query should be refined, not paged through.
MAX_HITS_PER_KIND = 8
MAX_QUERY_LENGTH = 200
_CONTROL = dict.fromkeys(range(32))


@dataclass(frozen=True)
class SearchHit:
    kind: str  # what the record is, in the reader's language ("Lot", "Bin")
    code: str
    title: str
    url: str
    exact: bool  # the text is this record's code or number, not just part of it


def clean_query(text: str) -> str:
    """What a person typed or a scanner sent, without control characters (GS1 separators, NUL)."""
    return (text or "").translate(_CONTROL).strip()[:MAX_QUERY_LENGTH]


def find(*, user, text: str) -> list[SearchHit]:
    """Every app's hits for `text`, exact matches first."""
    text = clean_query(text)
    if not text:
        return []
    hits: list[SearchHit] = []
    for config in apps.get_app_configs():
        provider = getattr(config, "search", None)
        if provider:
            hits.extend(import_string(provider)(user=user, text=text))
    return sorted(hits, key=lambda hit: not hit.exact)


def code_matches(queryset, text: str, *, code_field: str = "code", name_field: str | None = "name"):
    """Records whose code is `text` (exact, any case) or contains it, or whose name contains it:
    the exact ones first, at most MAX_HITS_PER_KIND."""
    condition = Q(**{f"{code_field}__icontains": text})
    if name_field:
        condition |= Q(**{f"{name_field}__icontains": text})
    rows = list(queryset.filter(condition).order_by(code_field)[: MAX_HITS_PER_KIND * 4])
    rows.sort(key=lambda row: getattr(row, code_field).lower() != text.lower())
    return [(row, getattr(row, code_field).lower() == text.lower()) for row in rows[:MAX_HITS_PER_KIND]]


def find_master_data(*, user, text: str) -> list[SearchHit]:
    """Items and partners (core's own records)."""
    from core.selectors.master_data import item_list, partner_list

    hits = []
    if user.has_perm("core.view_item"):
        for item, exact in code_matches(item_list(user=user), text):
            hits.append(SearchHit(_("Item"), item.code, item.name, reverse("core:item-detail", args=[item.pk]), exact))
    if user.has_perm("core.view_partner"):
        for partner, exact in code_matches(partner_list(user=user), text):
            url = reverse("core:partner-detail", args=[partner.pk])
            hits.append(SearchHit(_("Partner"), partner.code, partner.name, url, exact))
    return hits
