"""Allocations: stock set aside for a document before it is picked.

An allocation is an open line of an open pick list; the ledger lets no other issue, shipment or
transfer take what it holds (`wms.selectors.availability` says what is free). Production
execution calls `allocate_for_work_order` when it releases a work order (its components staged
to the line-side bin) and `release_allocation` when the order is held back or cancelled; the
pick lines then move the stock through `confirm_pick`.
"""

from wms.models import Bin, PickList, PickPurpose
from wms.services import picking


def allocate_for_work_order(*, site, reference: str, components: list[dict], destination_bin: Bin, user) -> PickList:
    """Set aside `components` (`[{"item", "quantity", "unit"}]`) for the work order `reference`,
    to be staged into `destination_bin`. Returns the staging pick list; what could not be
    allocated is on it as short lines."""
    return picking.create_pick_list(
        site=site,
        purpose=PickPurpose.STAGING,
        lines=components,
        user=user,
        reference=reference,
        destination_bin=destination_bin,
    )


def release_allocation(*, pick_list: PickList, user) -> PickList:
    """Give back what `pick_list`'s open lines hold (what was already picked stays staged)."""
    return picking.cancel_pick_list(pick_list=pick_list, user=user)
