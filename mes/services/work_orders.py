"""Work orders: created from the item's approved BOM and routing (copied into the order), then
draft → released → in_progress → completed → closed, with on_hold (and back) and cancelled, as
WORK_ORDER_STATES declares. Release creates the operations: the first is ready, the rest wait.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import DomainError, InvalidTransition, NotFound, ValidationFailed
from core.events import publish, publish_many
from core.quantities import parse_quantity
from core.scoping import require_site_access
from core.states import StateMachine, Transition
from core.units import to_base_unit
from mes.models import (
    BOM,
    Operation,
    OperationStatus,
    Routing,
    WorkOrder,
    WorkOrderMaterial,
    WorkOrderStatus,
)
from mes.services.definitions import approved_version, explode_bom
from mes.services.reservations import (
    plan_reservations,
    release_reservations,
    reserve_components,
    reserve_planned,
)
from wms.services.numbering import next_document_number

NUMBER_PREFIX = "WO"
CHANGE = "mes.change_workorder"

W = WorkOrderStatus
# The work order's life, declared once: name -> from which statuses, to which, who may.
WORK_ORDER_STATES = StateMachine(
    {
        "release": Transition(frozenset({W.DRAFT}), W.RELEASED, CHANGE, label=gettext_lazy("released")),
        "start": Transition(frozenset({W.RELEASED, W.IN_PROGRESS}), W.IN_PROGRESS, label=gettext_lazy("started")),
        "hold": Transition(
            frozenset({W.RELEASED, W.IN_PROGRESS}), W.ON_HOLD, CHANGE, label=gettext_lazy("put on hold")
        ),
        # Resume goes back to where the order was: released, or in progress once work began.
        "resume_released": Transition(frozenset({W.ON_HOLD}), W.RELEASED, CHANGE, label=gettext_lazy("resumed")),
        "resume_in_progress": Transition(frozenset({W.ON_HOLD}), W.IN_PROGRESS, CHANGE, label=gettext_lazy("resumed")),
        # Quality's hold and its release (qms.services.holds): no MES permission asked, the
        # quality hold is quality's decision; while it stands the order is not resumed by hand.
        "quality_hold": Transition(frozenset({W.RELEASED, W.IN_PROGRESS}), W.ON_HOLD, label=gettext_lazy("held")),
        "quality_resume_released": Transition(frozenset({W.ON_HOLD}), W.RELEASED, label=gettext_lazy("resumed")),
        "quality_resume_in_progress": Transition(frozenset({W.ON_HOLD}), W.IN_PROGRESS, label=gettext_lazy("resumed")),
        "cancel": Transition(
            frozenset({W.DRAFT, W.RELEASED, W.ON_HOLD}), W.CANCELLED, CHANGE, label=gettext_lazy("cancelled")
        ),
        "complete": Transition(frozenset({W.IN_PROGRESS}), W.COMPLETED, CHANGE, label=gettext_lazy("completed")),
        "close": Transition(frozenset({W.COMPLETED}), W.CLOSED, CHANGE, label=gettext_lazy("closed")),
    },
    refusal=gettext_noop("A work order that is %(status)s cannot be %(action)s."),
)
TRANSITIONS = WORK_ORDER_STATES.transitions
# Orders whose operations may be worked on.
WORKABLE = WORK_ORDER_STATES.sources("start")
# Operation statuses that mean someone is at the machine.
ACTIVE_OPERATION = (OperationStatus.SETUP, OperationStatus.RUNNING, OperationStatus.PAUSED)


def create_work_order(
    *, site, item, quantity, due, user, unit=None, priority: int = 5, reference: str = ""
) -> WorkOrder:
    """A draft work order for `quantity` of `item` at `site`, holding a copy of the item's approved
    BOM (exploded through phantoms, scrap factors added) and routing."""
    require_site_access(user, site)
    quantity = to_base_unit(parse_quantity(quantity), unit, item)
    if due is None:
        raise ValidationFailed(_("Give the due date."), field="due", code="required")
    if not 1 <= int(priority) <= 9:
        raise ValidationFailed(_("Priority is 1 (most urgent) to 9."), field="priority")
    today = timezone.localdate()
    bom = approved_version(BOM, site=site, item=item, on=today)
    if bom is None:
        raise ValidationFailed(
            _("%(item)s has no approved bill of materials at %(site)s.") % {"item": item.code, "site": site.code},
            field="item",
            code="no_approved_bom",
        )
    routing = approved_version(Routing, site=site, item=item, on=today)
    if routing is None:
        raise ValidationFailed(
            _("%(item)s has no approved routing at %(site)s.") % {"item": item.code, "site": site.code},
            field="item",
            code="no_approved_routing",
        )
    needs = explode_bom(bom, quantity=quantity, on=today)
    steps = list(routing.operations.select_related("work_centre").prefetch_related("eligible_equipment", "materials"))
    consumed_at = {}
    for step in steps:
        for material in step.materials.all():
            consumed_at.setdefault(material.pk, step.sequence)

    with transaction.atomic():
        number = next_document_number(
            site=site, prefix=NUMBER_PREFIX, taken=lambda n: WorkOrder.objects.filter(number=n).exists()
        )
        order = WorkOrder(
            number=number,
            site=site,
            item=item,
            quantity=quantity,
            unit=item.base_unit,
            due=due,
            priority=int(priority),
            bom=bom,
            routing=routing,
            reference=reference or "",
            created_by=user,
        )
        order._history_user = user
        order.save()
        WorkOrderMaterial.objects.bulk_create(
            WorkOrderMaterial(
                work_order=order,
                line_no=index,
                component=need["component"],
                quantity_per_unit=need["quantity_per_unit"],
                scrap_factor=need["scrap_factor"],
                required=need["required"],
                operation_sequence=consumed_at.get(need["component"].pk, steps[0].sequence),
            )
            for index, need in enumerate(needs, start=1)
        )
        for step in steps:
            operation = Operation.objects.create(
                work_order=order,
                sequence=step.sequence,
                name=step.name,
                work_centre=step.work_centre,
                quantity=quantity,
                setup_minutes=step.setup_minutes,
                run_seconds_per_unit=step.run_seconds_per_unit,
                labour=step.labour,
                skill=step.skill,
                instructions=step.instructions,
            )
            operation.eligible_equipment.set(step.eligible_equipment.all())
        publish("mes.work_order.created", _payload(order), site=site)
    return order


def _payload(order: WorkOrder, **extra) -> dict:
    return {
        "work_order": order.number,
        "item": order.item.code,
        "quantity": str(order.quantity),
        "status": order.status,
        "good": str(order.good),
        "scrap": str(order.scrap),
        **extra,
    }


def lock_work_order(order: WorkOrder) -> WorkOrder:
    """Take the order's row lock: the first lock of every change to an order or its operations
    (work order → operation → equipment → the ledger's bins and stock rows)."""
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("site", "item__base_unit").get(pk=order.pk)


def _transition(order: WorkOrder, name: str, user, *, also=None, event: str, check=None) -> WorkOrder:
    require_site_access(user, order.site_id)
    with transaction.atomic():
        order = lock_work_order(order)
        if check is not None:
            check(order)
        WORK_ORDER_STATES.apply(order, name, user, also=also)
        publish(event, _payload(order), site=order.site)
    return order


def release_work_order(*, work_order: WorkOrder, user) -> WorkOrder:
    """Release a draft: its first operation becomes ready, the others wait for their predecessor,
    and its components are reserved in WMS (`mes.services.reservations`: a shortage is reserved
    in part and shown on the dispatch list)."""

    def ready_first(order):
        if order.status != W.DRAFT:
            return
        first = order.operations.order_by("sequence").first()
        Operation.objects.filter(pk=first.pk).update(status=OperationStatus.READY, updated_at=timezone.now())

    require_site_access(user, work_order.site_id)
    with transaction.atomic():
        order = lock_work_order(work_order)
        ready_first(order)
        WORK_ORDER_STATES.apply(order, "release", user, also={"released_at": timezone.now()})
        reserve_components(order=order, user=user)
        publish("mes.work_order.released", _payload(order), site=order.site)
    return order


@dataclass
class BulkRelease:
    """What `release_work_orders` did: the orders released, and for each one it refused (by
    primary key) the DomainError saying why (409 wrong status or no line-side bin, 403 another
    site's order, 404 no such order)."""

    released: list[WorkOrder] = field(default_factory=list)
    refused: dict[int, DomainError] = field(default_factory=dict)


def release_work_orders(*, work_orders, user) -> BulkRelease:
    """Release many drafts at once (a planner releasing a day's plan), each as
    `release_work_order` releases one, in one transaction per site: the site's orders locked in
    primary-key order, statuses, first operations, history and events written in bulk,
    components reserved in one pass (each item's stock read once, most urgent order first).
    An order that cannot be released (not a draft, another site's, a work centre without a
    line-side bin) is refused on its own; the others are released. `work_orders` holds orders
    or primary keys."""
    ids = sorted({getattr(order, "pk", order) for order in work_orders})
    result = BulkRelease()
    if not ids:
        return result
    site_of = dict(WorkOrder.objects.filter(pk__in=ids).values_list("pk", "site_id"))
    for pk in ids:
        if pk not in site_of:
            result.refused[pk] = NotFound(_("No such work order."))
    for site_id in sorted(set(site_of.values())):
        _release_at_site(site_id, [pk for pk in ids if site_of.get(pk) == site_id], user, result)
    return result


def _release_at_site(site_id: int, ids: list[int], user, result: BulkRelease) -> None:
    try:
        require_site_access(user, site_id)
    except DomainError as error:
        result.refused.update(dict.fromkeys(ids, error))
        return
    with transaction.atomic():
        locked = list(
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("site", "item__base_unit")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        drafts = []
        for order in locked:
            try:
                WORK_ORDER_STATES.check(order, "release", user)
            except DomainError as error:
                result.refused[order.pk] = error
            else:
                drafts.append(order)
        planned = plan_reservations(drafts)
        orders = []
        for order in drafts:
            if isinstance(planned[order.pk], DomainError):
                result.refused[order.pk] = planned[order.pk]
            else:
                orders.append(order)
        if not orders:
            return
        now = timezone.now()
        released = [order.pk for order in orders]
        WorkOrder.objects.filter(pk__in=released).update(status=W.RELEASED, released_at=now, updated_at=now)
        for order in orders:
            order.status, order.released_at, order.updated_at = W.RELEASED, now, now
        WorkOrder.history.bulk_history_create(orders, update=True, default_user=user, batch_size=1000)
        first = (
            Operation.objects.filter(work_order_id=OuterRef("work_order_id"))
            .order_by("sequence")
            .values("sequence")[:1]
        )
        Operation.objects.filter(work_order_id__in=released, sequence=Subquery(first)).update(
            status=OperationStatus.READY, updated_at=now
        )
        reserve_planned(orders=orders, planned=planned, user=user)
        publish_many("mes.work_order.released", [_payload(order) for order in orders], site=orders[0].site)
    result.released.extend(orders)


def hold_work_order(*, work_order: WorkOrder, user) -> WorkOrder:
    """Put an order on hold: none of its operations may start, be reported or resume until resumed."""
    return _transition(work_order, "hold", user, event="mes.work_order.held")


def resume_work_order(*, work_order: WorkOrder, user) -> WorkOrder:
    """Take an order off hold, back to released, or in progress when work had begun."""
    require_site_access(user, work_order.site_id)
    with transaction.atomic():
        order = lock_work_order(work_order)
        refuse_quality_hold(order)
        name = "resume_in_progress" if order.started_at else "resume_released"
        WORK_ORDER_STATES.apply(order, name, user)
        publish("mes.work_order.resumed", _payload(order), site=order.site)
    return order


def cancel_work_order(*, work_order: WorkOrder, user) -> WorkOrder:
    """Cancel an order on which no work was reported."""

    def nothing_reported(order):
        if order.status in TRANSITIONS["cancel"].sources and order.reports.exists():
            raise InvalidTransition(
                _("Work order %(number)s has production reports: complete it instead.") % {"number": order.number}
            )

    def nothing_reported_and_give_back(order):
        nothing_reported(order)
        WORK_ORDER_STATES.check(order, "cancel", user)
        release_reservations(order=order, user=user)

    return _transition(
        work_order, "cancel", user, event="mes.work_order.cancelled", check=nothing_reported_and_give_back
    )


def complete_work_order(*, work_order: WorkOrder, user) -> WorkOrder:
    """Complete an order in progress (short-closing what is left); refused while an operation is
    being set up, running or paused."""

    def nobody_at_work(order):
        if order.status != W.IN_PROGRESS:
            return
        busy = order.operations.filter(status__in=ACTIVE_OPERATION).order_by("sequence").first()
        if busy is not None:
            raise InvalidTransition(
                _("Operation %(seq)s of %(number)s is %(status)s: complete or pause it first.")
                % {"seq": busy.sequence, "number": order.number, "status": busy.get_status_display().lower()}
            )

    return _transition(
        work_order,
        "complete",
        user,
        also={"completed_at": timezone.now()},
        event="mes.work_order.completed",
        check=nobody_at_work,
    )


def close_work_order(*, work_order: WorkOrder, user) -> WorkOrder:
    """Close a completed order: nothing more is booked to it, and what its reservations still
    hold is given back."""

    def give_back(order):
        WORK_ORDER_STATES.check(order, "close", user)
        release_reservations(order=order, user=user)

    return _transition(work_order, "close", user, event="mes.work_order.closed", check=give_back)


# Statuses in which quality may still hold an order (there is work or stock left to stop).
QUALITY_HOLDABLE = frozenset({W.DRAFT, W.RELEASED, W.IN_PROGRESS, W.ON_HOLD, W.COMPLETED})


def refuse_quality_hold(order: WorkOrder) -> None:
    """Refuse work on an order quality holds, saying why (409 `quality_hold`)."""
    if order.quality_hold_reason:
        raise InvalidTransition(
            _("Work order %(number)s is on quality hold (%(reason)s); quality must release it first.")
            % {"number": order.number, "reason": order.quality_hold_reason},
            code="quality_hold",
        )


def place_work_order_quality_hold(*, work_order: WorkOrder, reason: str, user) -> WorkOrder:
    """Quality holds the order: it keeps `reason` and, when released or in progress, goes on
    hold, so none of its operations starts or is reported and nobody resumes it by hand."""
    reason = (reason or "").strip()[:300]
    if not reason:
        raise ValidationFailed(_("Say why the work order is held."), field="reason", code="required")
    require_site_access(user, work_order.site_id)
    with transaction.atomic():
        order = lock_work_order(work_order)
        if order.status not in QUALITY_HOLDABLE:
            raise InvalidTransition(
                _("Work order %(number)s is %(status)s: there is nothing left to hold.")
                % {"number": order.number, "status": order.get_status_display().lower()}
            )
        if order.status in WORK_ORDER_STATES.sources("quality_hold"):
            WORK_ORDER_STATES.apply(order, "quality_hold", user, also={"quality_hold_reason": reason})
        else:
            order.quality_hold_reason = reason
            order._history_user = user
            order.save(update_fields=["quality_hold_reason", "updated_at"])
        publish("mes.work_order.quality_held", _payload(order, reason=reason), site=order.site)
    return order


def lift_work_order_quality_hold(*, work_order: WorkOrder, user, resume: bool) -> WorkOrder:
    """Quality released the order: the hold's reason is cleared and, with `resume` (the hold
    put it on hold), the order goes back to released, or in progress once work had begun."""
    require_site_access(user, work_order.site_id)
    with transaction.atomic():
        order = lock_work_order(work_order)
        also = {"quality_hold_reason": ""}
        if resume and order.status == W.ON_HOLD:
            name = "quality_resume_in_progress" if order.started_at else "quality_resume_released"
            WORK_ORDER_STATES.apply(order, name, user, also=also)
        elif order.quality_hold_reason:
            order.quality_hold_reason = ""
            order._history_user = user
            order.save(update_fields=["quality_hold_reason", "updated_at"])
        publish("mes.work_order.quality_released", _payload(order), site=order.site)
    return order


def check_workable(order: WorkOrder) -> None:
    """Refuse work on operations of an order that is not released or in progress, or that
    quality holds."""
    refuse_quality_hold(order)
    if order.status not in WORKABLE:
        raise InvalidTransition(
            _("Work order %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display().lower()}
        )


def mark_started(order: WorkOrder, user) -> None:
    """The first operation started: the order is in progress (order row already locked)."""
    if order.status == W.RELEASED:
        WORK_ORDER_STATES.apply(order, "start", user, also={"started_at": timezone.now()})
        publish("mes.work_order.started", _payload(order), site=order.site)


def finish_if_done(order: WorkOrder, user) -> None:
    """Every operation is done: the order is completed (order row already locked)."""
    if order.status == W.IN_PROGRESS and not order.operations.exclude(status=OperationStatus.DONE).exists():
        WORK_ORDER_STATES.apply(order, "complete", None, also={"completed_at": timezone.now()})
        publish("mes.work_order.completed", _payload(order), site=order.site)


EDITABLE = frozenset({W.DRAFT, W.RELEASED, W.ON_HOLD})


def update_work_order(*, work_order: WorkOrder, user, data: dict) -> WorkOrder:
    """Change an order's due date, priority or reference while no work has begun on it."""
    require_site_access(user, work_order.site_id)
    unknown = set(data) - {"due", "priority", "reference"}
    if unknown:
        raise ValidationFailed(
            _("These cannot be changed on a work order: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    with transaction.atomic():
        order = lock_work_order(work_order)
        if order.status not in EDITABLE or order.started_at is not None:
            raise InvalidTransition(
                _("Work order %(number)s is %(status)s: it can no longer be changed.")
                % {"number": order.number, "status": order.get_status_display().lower()}
            )
        if "priority" in data and not 1 <= int(data["priority"]) <= 9:
            raise ValidationFailed(_("Priority is 1 (most urgent) to 9."), field="priority")
        for name, value in data.items():
            setattr(order, name, value if name != "reference" else (value or ""))
        order._history_user = user
        order.save(update_fields=[*data, "updated_at"])
        publish("mes.work_order.changed", _payload(order, due=order.due, priority=order.priority), site=order.site)
    return order
