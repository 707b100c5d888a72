"""Reservations: a released work order holds its components in WMS.

Release allocates what the order's BOM snapshot still needs (required less issued, per
component) from the site's usable stock, FEFO, as one staging pick list per line-side bin the
materials go to; stock already in that bin is held in place, the rest is picked to it by the
warehouse. What cannot be allocated is released anyway, as a partial reservation: the pick
list carries short lines and the dispatch list shows the operation waiting for material with
what is short (a plant releases to the floor and expedites the shortage; refusing the release
would only hide the demand from the warehouse).

Consumption issues held stock against its allocation (`consume_reserved`), so an order never
competes with itself. Cancelling or closing the order gives back what its lines still hold.

Locks (core.locking): the work order (taken by the caller), then the pick list and its lines,
then the items being allocated, bins and stock rows inside the WMS services.
"""

from collections import OrderedDict
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.models import Item
from mes.models import Operation, WorkCentre, WorkOrder, WorkOrderMaterial, WorkOrderReservation
from wms.services.allocations import (
    allocate_for_work_order,
    allocate_for_work_orders,
    allocation_for,
    consume_allocation,
    lock_allocations,
    release_allocation,
)


class NoLineSideBin(DomainError):
    code = "no_line_side_bin"
    default_message = gettext_lazy("The work centre has no line-side bin to stage material to.")


def _requests(order: WorkOrder, operations, materials) -> list[dict]:
    """What `order` still needs, per line-side bin: `[{"reference", "components",
    "destination_bin"}]`, from its operations (with their work centres) and materials (with
    their components)."""
    centres = {op.sequence: op.work_centre for op in operations}
    wanted: OrderedDict = OrderedDict()  # bin id -> component -> quantity
    bins = {}
    for material in sorted(materials, key=lambda m: m.line_no):
        need = material.required - material.issued
        if need <= 0:
            continue
        centre = centres.get(material.operation_sequence) or centres[min(centres)]
        if centre.line_side_bin is None:
            raise NoLineSideBin(
                _("Work centre %(wc)s has no line-side bin: %(item)s of %(number)s cannot be reserved.")
                % {"wc": centre.code, "item": material.component.code, "number": order.number}
            )
        bins[centre.line_side_bin_id] = centre.line_side_bin
        per_item = wanted.setdefault(centre.line_side_bin_id, OrderedDict())
        per_item[material.component] = per_item.get(material.component, Decimal(0)) + need
    return [
        {
            "reference": order.number,
            "components": [{"item": item, "quantity": quantity} for item, quantity in per_item.items()],
            "destination_bin": bins[bin_id],
        }
        for bin_id, per_item in wanted.items()
    ]


RESERVATION_PREFETCH = (
    Prefetch("operations", Operation.objects.select_related("work_centre__line_side_bin__warehouse")),
    Prefetch("materials", WorkOrderMaterial.objects.select_related("component__base_unit")),
)


def reserve_components(*, order: WorkOrder, user) -> list[WorkOrderReservation]:
    """Allocate what `order` (locked by the caller) still needs, one staging list per line-side
    bin. Raises NoLineSideBin, nothing written, when a consuming work centre has none."""
    prefetch_related_objects([order], *RESERVATION_PREFETCH)
    made = [
        WorkOrderReservation(
            work_order=order,
            pick_list=allocate_for_work_order(
                site=order.site,
                reference=request["reference"],
                components=request["components"],
                destination_bin=request["destination_bin"],
                user=user,
            ),
        )
        for request in _requests(order, order.operations.all(), order.materials.all())
    ]
    return WorkOrderReservation.objects.bulk_create(made)


def plan_reservations(orders: list[WorkOrder]) -> dict:
    """What each of `orders` still needs, per line-side bin: order pk -> the requests
    `reserve_planned` takes, or the DomainError (NoLineSideBin) that keeps that order from being
    reserved. Reads the orders' operations and materials in one statement each, and each work
    centre and component once (not once per row)."""
    ids = [order.pk for order in orders]
    operations = list(
        Operation.objects.filter(work_order_id__in=ids).only("id", "work_order_id", "sequence", "work_centre_id")
    )
    materials = list(
        WorkOrderMaterial.objects.filter(work_order_id__in=ids).only(
            "id", "work_order_id", "line_no", "component_id", "required", "issued", "operation_sequence"
        )
    )
    centres = WorkCentre.objects.select_related("line_side_bin__warehouse").in_bulk(
        {op.work_centre_id for op in operations}
    )
    components = Item.objects.select_related("base_unit").in_bulk({m.component_id for m in materials})
    operations_of, materials_of = {}, {}
    for op in operations:
        op.work_centre = centres[op.work_centre_id]
        operations_of.setdefault(op.work_order_id, []).append(op)
    for material in materials:
        material.component = components[material.component_id]
        materials_of.setdefault(material.work_order_id, []).append(material)
    planned = {}
    for order in orders:
        try:
            planned[order.pk] = _requests(order, operations_of.get(order.pk, []), materials_of.get(order.pk, []))
        except DomainError as error:
            planned[order.pk] = error
    return planned


def reserve_planned(*, orders: list[WorkOrder], planned: dict, user) -> list[WorkOrderReservation]:
    """Allocate the requests `plan_reservations` made for `orders` (one site, locked by the
    caller), most urgent order first, each component's stock read once."""
    if not orders:
        return []
    owners, requests = [], []
    for order in sorted(orders, key=lambda o: (o.priority, o.due, o.number)):
        for request in planned[order.pk]:
            owners.append(order)
            requests.append(request)
    lists = allocate_for_work_orders(site=orders[0].site, requests=requests, user=user)
    return WorkOrderReservation.objects.bulk_create(
        [
            WorkOrderReservation(work_order=order, pick_list=pick_list)
            for order, pick_list in zip(owners, lists, strict=True)
        ],
        batch_size=2000,
    )


def release_reservations(*, order: WorkOrder, user) -> None:
    """Give back what `order`'s (locked) reservations still hold."""
    for reservation in order.reservations.select_related("pick_list").order_by("pick_list_id"):
        release_allocation(pick_list=reservation.pick_list, user=user)


class ReservedStock:
    """The order's reservation lines holding `item_ids`, locked for one production report, so
    its issues take the held stock against the allocation."""

    def __init__(self, *, order: WorkOrder, item_ids):
        self.locked = []
        for pick_list_id in order.reservations.order_by("pick_list_id").values_list("pick_list_id", flat=True):
            pick_list, lines = lock_allocations(pick_list_id=pick_list_id, item_ids=item_ids)
            self.locked.append((pick_list, lines))

    def line_for(self, *, item, bin, lot):
        """(pick list, line) holding `item`/`lot` in `bin` for this order, or (None, None)."""
        for pick_list, lines in self.locked:
            line = allocation_for(lines, item=item, bin=bin, lot=lot)
            if line is not None:
                return pick_list, line
        return None, None

    def consumed(self, *, pick_list, line, move, user) -> None:
        if line is not None:
            consume_allocation(pick_list=pick_list, line=line, move=move, user=user)
