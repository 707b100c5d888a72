"""Cycle counting: generate blind count tasks by ABC class, record counts, approve or reject
large variances with an electronic signature.

A count task moves through COUNT_STATES (core.states). Small variances are booked at once as an
adjustment through the stock ledger; a variance above the warehouse's thresholds waits for a
supervisor, who signs the approval (the adjustment is then computed against the stock as it is
at that moment) or rejects it (a new task asks for a recount).
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from simple_history.utils import bulk_create_with_history

from core.dates import site_today
from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.events import publish
from core.locking import lock_site_work
from core.models import Site
from core.scoping import require_site_access
from core.services.signatures import check_signature_password, sign
from core.states import StateMachine, Transition
from wms.models import Bin, CountSchedule, CountStatus, CountTask, MoveKind, StockQuant
from wms.selectors.planning import abc_class_at
from wms.services.ledger import post_move

S = CountStatus
# The count task's life, declared once: name -> from which statuses, to which.
COUNT_STATES = StateMachine(
    {
        # counted within the thresholds: the adjustment is booked at once
        "post": Transition(frozenset({S.OPEN}), S.POSTED, label=gettext_lazy("posted")),
        # counted above a threshold: a supervisor other than the counter must decide
        "submit": Transition(frozenset({S.OPEN}), S.PENDING_APPROVAL, label=gettext_lazy("counted")),
        # approved and signed: the adjustment is booked against the stock as it is then
        "approve": Transition(frozenset({S.PENDING_APPROVAL}), S.POSTED, label=gettext_lazy("approved")),
        # rejected and signed: a recount task is created
        "reject": Transition(frozenset({S.PENDING_APPROVAL}), S.REJECTED, label=gettext_lazy("rejected")),
        "cancel": Transition(frozenset({S.OPEN}), S.CANCELLED, label=gettext_lazy("cancelled")),
    },
    refusal=gettext_noop("A count that is %(status)s cannot be %(action)s."),
)
TRANSITIONS = COUNT_STATES.transitions

# Statuses in which a task still stands for its (item, lot, bin): no second task is generated,
# and a blind count hides the bin's quantity from the warehouse.
OPEN_STATUSES = (S.OPEN, S.PENDING_APPROVAL)
# Statuses whose count is a physical count of the bin.
COUNTED_STATUSES = (S.POSTED, S.PENDING_APPROVAL, S.REJECTED)
APPROVER_ROLES = ("supervisor", "admin")
MONEY = Decimal("0.01")


def ensure_count_schedules(*, site: Site) -> dict[str, int]:
    """The site's count interval (days) per ABC class; missing classes get the defaults."""
    CountSchedule.objects.bulk_create(
        [
            CountSchedule(site=site, abc_class=abc, interval_days=days)
            for abc, days in CountSchedule.DEFAULT_INTERVALS.items()
        ],
        ignore_conflicts=True,
    )
    return dict(CountSchedule.objects.filter(site=site).values_list("abc_class", "interval_days"))


def generate_count_tasks(*, site: Site, user=None, today=None) -> list[CountTask]:
    """Create a task, due today, for every stock row (item, lot, bin) of the site whose item was
    not counted in that bin within its class's interval and that has no open task.

    Idempotent: a second run the same day creates nothing. Generations for one site are
    serialised by a lock on the site row so two runs cannot create the same task twice.
    """
    today = today or site_today(site)
    with transaction.atomic():
        lock_site_work(site, "wms.count_generation")
        intervals = ensure_count_schedules(site=site)
        longest = max(intervals.values())
        last_counted = (
            CountTask.objects.filter(
                item=OuterRef("item"), bin=OuterRef("bin"), status__in=COUNTED_STATUSES, counted_at__isnull=False
            )
            .order_by("-counted_at")
            .values("counted_at")[:1]
        )
        open_keys = set(
            CountTask.objects.filter(site=site, status__in=OPEN_STATUSES).values_list("item_id", "lot_id", "bin_id")
        )
        rows = (
            StockQuant.objects.filter(site=site, quantity__gt=0, bin__blocked=False)
            .annotate(
                last_counted=Subquery(last_counted),
                site_class=abc_class_at(site, item_ref="item", default="item__abc_class"),
            )
            .values_list("item_id", "lot_id", "bin_id", "site_class", "last_counted")
            .order_by("bin__pick_sequence", "bin__code", "item__code", "lot__code")
        )
        tz = site.tzinfo
        new = []
        for item_id, lot_id, bin_id, abc_class, last in rows:
            if (item_id, lot_id, bin_id) in open_keys:
                continue
            interval = intervals.get(abc_class, longest)
            if last is not None and timezone.localtime(last, tz).date() > today - timedelta(days=interval):
                continue
            new.append(CountTask(site=site, bin_id=bin_id, item_id=item_id, lot_id=lot_id, due_date=today))
        if not new:
            return []
        created = bulk_create_with_history(new, CountTask, default_user=user)
        publish(
            "wms.count.generated",
            {"site": site.code, "tasks": len(created), "due": today.isoformat()},
            site=site,
        )
    return created


def _counted_quantity(value, item) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationFailed(_("Enter the quantity you counted."), field="counted_quantity") from exc
    if not quantity.is_finite() or quantity < 0:
        raise ValidationFailed(_("The counted quantity cannot be negative."), field="counted_quantity")
    decimals = item.base_unit.decimals
    if quantity != quantity.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):
        raise ValidationFailed(
            _("Count %(unit)s with at most %(decimals)s decimals.")
            % {"unit": item.base_unit.code, "decimals": decimals},
            field="counted_quantity",
        )
    return quantity


def _lock_task(task: CountTask) -> CountTask:
    return (
        CountTask.objects.select_for_update(of=("self",))
        .select_related("site", "item__base_unit", "lot", "bin__warehouse")
        .get(pk=task.pk)
    )


def _locked_system_quantity(task: CountTask) -> Decimal:
    """What the records say is in the bin, read under the ledger's locks (bin, then stock row:
    the ledger's own order, so a count and a move cannot deadlock)."""
    Bin.objects.select_for_update(no_key=True, of=("self",)).filter(pk=task.bin_id).first()
    rows = StockQuant.objects.select_for_update().filter(item_id=task.item_id, bin_id=task.bin_id)
    rows = rows.filter(lot_id=task.lot_id) if task.lot_id else rows.filter(lot__isnull=True)
    quant = rows.first()
    return quant.quantity if quant else Decimal(0)


def _post_adjustment(*, task: CountTask, difference: Decimal, user, reason: str):
    """Book `difference` (counted − records) as an adjustment; nothing when it is zero."""
    if difference == 0:
        return None
    return post_move(
        kind=MoveKind.ADJUSTMENT,
        item=task.item,
        lot=task.lot,
        quantity=abs(difference),
        from_bin=task.bin if difference < 0 else None,
        to_bin=task.bin if difference > 0 else None,
        reference=f"COUNT-{task.pk}",
        reason=reason or _("cycle count"),
        user=user,
    )


def needs_approval(*, task: CountTask, system_quantity: Decimal, variance: Decimal, variance_value: Decimal) -> bool:
    """True when the variance is above the warehouse's percentage or value threshold."""
    return exceeds_thresholds(
        warehouse=task.bin.warehouse, system_quantity=system_quantity, variance=variance, variance_value=variance_value
    )


def exceeds_thresholds(*, warehouse, system_quantity: Decimal, variance: Decimal, variance_value: Decimal) -> bool:
    """The warehouse's one rule for stock changes that need a signed approval (count variances
    and desk adjustments): above its value or its percentage threshold."""
    if variance == 0:
        return False
    if abs(variance_value) > warehouse.count_variance_value:
        return True
    if system_quantity == 0:
        return True  # stock found where the records have none: any percentage is infinite
    return abs(variance) * 100 / system_quantity > warehouse.count_variance_pct


def submit_count(*, task: CountTask, counted_quantity, user, reason: str = "") -> CountTask:
    """Record a blind count. Within the thresholds the difference is booked at once; above
    either threshold the task waits for approval and the counter must give a reason."""
    require_site_access(user, task.site_id, message=_("Count task not found."))
    reason = (reason or "").strip()
    with transaction.atomic():
        task = _lock_task(task)
        if task.status != S.OPEN:
            raise InvalidTransition(_("This task has already been counted."), code="already_counted")
        counted = _counted_quantity(counted_quantity, task.item)
        system = _locked_system_quantity(task)
        variance = counted - system
        value = (variance * task.item.standard_cost).quantize(MONEY, rounding=ROUND_HALF_UP)
        decision = (
            "submit"
            if needs_approval(task=task, system_quantity=system, variance=variance, variance_value=value)
            else "post"
        )
        if decision == "submit" and not reason:
            raise ValidationFailed(
                _("The count differs a lot from the records: count again, then say why it differs."),
                field="reason",
                code="reason_required",
            )
        adjustment = None
        if decision == "post":
            adjustment = _post_adjustment(task=task, difference=variance, user=user, reason=reason)
        COUNT_STATES.apply(
            task,
            decision,
            user,
            also={
                "adjustment": adjustment,
                "system_quantity": system,
                "counted_quantity": counted,
                "variance": variance,
                "variance_value": value,
                "reason": reason[:300],
                "counted_by": user,
                "counted_at": timezone.now(),
            },
        )
        publish(
            "wms.count.posted" if decision == "post" else "wms.count.awaiting_approval",
            _event_payload(task),
            site=task.site,
        )
    return task


def _check_approver(task: CountTask, user) -> None:
    require_site_access(user, task.site_id, message=_("Count task not found."))
    if not user.has_role(*APPROVER_ROLES):
        raise PermissionDenied(_("Only a supervisor may approve or reject a count."))


def _decide(task: CountTask, decision: str, user) -> CountTask:
    """Lock the task and check that `user` may take `decision` on it now: the status allows it
    (a task not yet counted has nothing to approve or reject) and, four eyes, the decider is not
    the counter."""
    task = _lock_task(task)
    COUNT_STATES.check(task, decision)
    if task.counted_by_id is not None and task.counted_by_id == user.pk:
        raise PermissionDenied(_("Someone other than the counter must decide on this count."), code="four_eyes")
    return task


def approve_count(*, task: CountTask, user, password: str, reason: str = "") -> CountTask:
    """Approve a large variance with an electronic signature and book it.

    The adjustment brings the bin to the counted quantity as the stock stands now: when stock
    moved between the count and the approval, the difference is counted − current on hand.
    """
    _check_approver(task, user)
    with transaction.atomic():
        task = _decide(task, "approve", user)
        current = _locked_system_quantity(task)
        note = (reason or "").strip() or task.reason
        adjustment = _post_adjustment(task=task, difference=task.counted_quantity - current, user=user, reason=note)
        task._change_reason = (reason or "")[:100]
        COUNT_STATES.apply(
            task, "approve", user, also={"adjustment": adjustment, "approved_by": user, "approved_at": timezone.now()}
        )
        sign(user=user, password=password, meaning="approved", record=task, reason=reason or "")
        publish("wms.count.posted", _event_payload(task), site=task.site)
    return task


def reject_count(*, task: CountTask, user, password: str, reason: str) -> CountTask:
    """Reject a large variance with an electronic signature; a new open task asks for a recount
    (its `recount_of` is the rejected task). Returns the rejected task; `task.recount` is the new one."""
    _check_approver(task, user)
    check_signature_password(user=user, password=password, record=task)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Say why the count is rejected."), field="reason")
    with transaction.atomic():
        task = _decide(task, "reject", user)
        task._change_reason = reason[:100]
        COUNT_STATES.apply(task, "reject", user, also={"approved_by": user, "approved_at": timezone.now()})
        sign(user=user, password=password, meaning="rejected", record=task, reason=reason)
        recount = CountTask(
            site=task.site,
            bin=task.bin,
            item=task.item,
            lot=task.lot,
            due_date=site_today(task.site),
            recount_of=task,
        )
        recount._history_user = user
        recount.save()
        publish("wms.count.rejected", {**_event_payload(task), "recount": recount.pk}, site=task.site)
    task.recount = recount
    return task


def cancel_count_task(*, task: CountTask, user, reason: str = "") -> CountTask:
    """Withdraw an open task that is no longer needed (a supervisor's decision)."""
    _check_approver(task, user)
    with transaction.atomic():
        task = _lock_task(task)
        COUNT_STATES.apply(task, "cancel", user, also={"reason": (reason or "").strip()[:300]})
        publish("wms.count.cancelled", _event_payload(task), site=task.site)
    return task


def _event_payload(task: CountTask) -> dict:
    return {
        "task": task.pk,
        "status": task.status,
        "item": task.item.code,
        "lot": task.lot.code if task.lot else None,
        "bin": task.bin.code,
        "variance": str(task.variance) if task.variance is not None else None,
        "variance_value": str(task.variance_value) if task.variance_value is not None else None,
        "adjustment": task.adjustment_id,
    }
