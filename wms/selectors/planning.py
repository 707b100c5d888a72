"""Planning figures per item and site: ABC class, reorder point, safety stock (StockPolicy).

A site's class of an item is its own policy's class, else the item's default class."""

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from wms.models import StockPolicy


def abc_class_at(site, *, item_ref: str = "pk", default: str = "abc_class"):
    """An expression giving the ABC class at `site` of the item at `item_ref` of the outer rows
    (`default`: the path to the item's own class), for `.annotate()`: one subquery, no loop."""
    policy = (
        StockPolicy.objects.filter(site=site, item=OuterRef(item_ref)).exclude(abc_class="").values("abc_class")[:1]
    )
    return Coalesce(Subquery(policy), F(default))


def item_abc_class(*, item, site) -> str:
    """The class of one item at one site."""
    own = StockPolicy.objects.filter(site=site, item=item).exclude(abc_class="").values_list("abc_class", flat=True)
    return own.first() or item.abc_class


def stock_policy_list(*, user, site=None) -> QuerySet[StockPolicy]:
    """The planning figures the user may see, by site and item."""
    rows = StockPolicy.objects.for_user(user).select_related("site", "item__base_unit")
    if site is not None:
        rows = rows.filter(site=site)
    return rows.order_by("site__code", "item__code")
