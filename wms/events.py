"""The warehouse's in-process event subscribers.

Events this app publishes: `wms.stock.moved`, `wms.lot.created`, `wms.lot.status_changed`,
`wms.count.generated|posted|awaiting_approval|rejected|cancelled`, `wms.alert.raised`,
`wms.alert.resolved`. The alert re-checks are not invariants of the change: they run after
commit, in the worker, from the outbox (`after_commit=True`), so a stock move neither waits for
them nor fails because of them.
"""

from core.events import subscribe


def _recheck_item(event) -> None:
    from core.models import Item
    from wms.services import alerts

    code = event.payload.get("item")
    if not code or event.site_id is None:
        return
    item = Item.objects.filter(code=code).first()
    if item is not None:
        alerts.recheck_stock_level_alerts(site=event.site, item=item)


@subscribe("wms.stock.moved", after_commit=True)
def recheck_stock_alerts_after_move(event) -> None:
    """Stock of an item changed: raise or resolve its reorder and safety-stock alerts now."""
    _recheck_item(event)


@subscribe("wms.lot.status_changed", after_commit=True)
def recheck_stock_alerts_after_lot_status(event) -> None:
    """A lot was held, released or rejected: the item's usable stock changed."""
    _recheck_item(event)
