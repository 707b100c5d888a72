"""ABC classification: apply the classes proposed by the usage analysis at one site.

An item's class at a site decides how often it is counted there (CountSchedule) and where
putaway places it. Classes live in the site's stock policy of the item (StockPolicy), so applying
one site's analysis never changes another site's classes; the item's own class stays the default
for sites that have not classified it.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import PermissionDenied
from core.events import publish
from core.models import Item
from core.scoping import require_site_access
from wms.models import StockPolicy
from wms.selectors.kpis import abc_from_usage


def apply_abc_classes(*, site, user, start, end, a_share: float = 0.8, b_share: float = 0.95) -> int:
    """Set each item's ABC class at `site` to the one its usage value there over [start, end]
    proposes (other sites keep theirs). Returns how many items changed class."""
    if not user.has_perm("core.change_item"):
        raise PermissionDenied(_("Only those who maintain items may change their ABC class."))
    proposals = abc_from_usage(user=user, site=site, start=start, end=end, a_share=a_share, b_share=b_share)
    changes = {
        row.item: row.proposed_class
        for row in proposals.itertuples(index=False)
        if row.proposed_class != row.current_class
    }
    if not changes:
        return 0
    require_site_access(user, site.pk, message=_("Unknown site."))
    with transaction.atomic():
        items = dict(Item.objects.filter(code__in=changes).values_list("code", "pk"))
        StockPolicy.objects.bulk_create(
            [StockPolicy(site=site, item_id=pk, abc_class=changes[code]) for code, pk in sorted(items.items())],
            update_conflicts=True,
            unique_fields=["site", "item"],
            update_fields=["abc_class"],
        )
        publish(
            "wms.abc.applied",
            {"site": site.code, "start": start.isoformat(), "end": end.isoformat(), "changed": changes},
            site=site,
        )
    return len(changes)
