"""Allocations: stock set aside for a document before it is picked.

An allocation is an open line of an open pick list; the ledger lets no other issue, shipment or
transfer take what it holds (`wms.selectors.availability` says what is free). Production
execution calls `allocate_for_work_order` when it releases a work order (its components staged
to the line-side bin; what already lies there is held in place), `consume_allocation` when the
order consumes held stock, and `release_allocation` when the order is cancelled or closed; the
pick lines move the rest through `confirm_pick`.
"""

from django.db import transaction
from django.utils import timezone

from core.events import publish
from wms.models import HOLDING_LIST_STATUSES, Bin, PickLine, PickLineStatus, PickList, PickPurpose
from wms.services import picking


def allocate_for_work_order(*, site, reference: str, components: list[dict], destination_bin: Bin, user) -> PickList:
    """Set aside `components` (`[{"item", "quantity", "unit"}]`) for the work order `reference`,
    to be staged into `destination_bin` (stock already there is held in place). Returns the staging
    pick list; what could not be allocated is on it as short lines."""
    return picking.create_pick_list(
        site=site,
        purpose=PickPurpose.STAGING,
        lines=components,
        user=user,
        reference=reference,
        destination_bin=destination_bin,
        hold_destination_stock=True,
    )


def allocate_for_work_orders(*, site, requests: list[dict], user) -> list[PickList]:
    """`allocate_for_work_order` for many documents at once (a planner releasing a day's plan):
    `requests` is `[{"reference", "components", "destination_bin"}]`, most urgent first, and
    each item's stock is read once and shared out in that order. Returns the pick lists in the
    order of `requests`."""
    return picking.create_staging_lists(site=site, requests=requests, user=user)


def release_allocation(*, pick_list: PickList, user) -> PickList:
    """Give back what `pick_list`'s open lines hold (what was already picked stays staged). The
    document's own permission (cancelling or closing the work order) covers it; a list with
    nothing open any more is left as it is."""
    with transaction.atomic():
        pick_list = PickList.objects.select_for_update().get(pk=pick_list.pk)
        if pick_list.status not in HOLDING_LIST_STATUSES:
            return pick_list
        picking.PICK_LIST_STATES.apply(pick_list, "cancel", None)
        publish("wms.picklist.cancelled", {"pick_list": pick_list.number}, site=pick_list.site)
    return pick_list


def lock_allocations(*, pick_list_id: int, item_ids) -> tuple[PickList, list[PickLine]]:
    """Lock a document's allocation: its pick list, then the open lines holding `item_ids` in
    primary-key order (the header and line steps of core.locking, before any bin, lot or stock
    row). Returns the list and its lines (none when it no longer holds anything)."""
    pick_list = PickList.objects.select_for_update().get(pk=pick_list_id)
    if pick_list.status not in HOLDING_LIST_STATUSES:
        return pick_list, []
    lines = list(
        PickLine.objects.select_for_update()
        .filter(pick_list=pick_list, item_id__in=list(item_ids), status=PickLineStatus.OPEN, bin__isnull=False)
        .order_by("pk")
    )
    return pick_list, lines


def allocation_for(lines: list[PickLine], *, item, bin, lot) -> PickLine | None:
    """The locked open line holding `item` (in `lot`) in `bin`, if any."""
    lot_id = lot.pk if lot is not None else None
    for line in lines:
        if line.status == PickLineStatus.OPEN and (line.item_id, line.bin_id, line.lot_id) == (item.pk, bin.pk, lot_id):
            return line
    return None


def consume_allocation(*, pick_list: PickList, line: PickLine, move, user) -> None:
    """`move` issued stock that `line` held to the document it holds for (the move named the line
    as its `allocation`): the line holds that much less, and is picked once it holds nothing; the
    list is finished once no line is open. Both already locked by `lock_allocations`."""
    taken = min(move.quantity, line.quantity)
    if taken < line.quantity:
        line.quantity -= taken
        line.save(update_fields=["quantity"])
        return
    picking.PICK_LINE_STATES.apply(
        line,
        "pick",
        user,
        also={"picked_quantity": line.quantity, "picked_by": user, "picked_at": timezone.now(), "move": move},
    )
    if not pick_list.lines.filter(status=PickLineStatus.OPEN).exists():
        picking.PICK_LIST_STATES.apply(pick_list, "finish", user, also={"completed_at": timezone.now()})
