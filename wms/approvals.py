"""The warehouse's kinds of approval, declared for the approvals inbox (core.approvals), and the
subscribers that open and close their requests from the count service's events.

A count variance above the warehouse's thresholds waits for a supervisor (then an administrator,
when it waits longer than a shift). The decision is carried out by `approve_count` and
`reject_count`, which sign and lock the task themselves.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.approvals import ApprovalKind, Figure, register
from core.events import subscribe
from core.models import ApprovalStatus, Role

COUNT_VARIANCE = "wms.count_variance"
STOCK_ADJUSTMENT = "wms.stock_adjustment"
# A variance worth this many times the warehouse's value threshold is urgent: e-mailed at once.
URGENT_VALUE_FACTOR = 2


def _number(value) -> str:
    if value is None:
        return "—"
    number = Decimal(value).normalize()
    text = format(number, "f")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _signed(value) -> str:
    return ("+" if value is not None and value > 0 else "") + _number(value)


def _count_needs_approval(task) -> bool:
    from wms.models import CountStatus
    from wms.services.counting import needs_approval

    if task.status != CountStatus.PENDING_APPROVAL or task.variance is None:
        return False
    return needs_approval(
        task=task,
        system_quantity=task.system_quantity,
        variance=task.variance,
        variance_value=task.variance_value or Decimal(0),
    )


def _count_title(task) -> str:
    return _("Count variance of %(item)s in bin %(bin)s") % {"item": task.item.code, "bin": task.bin.code}


def _count_figures(task) -> list[Figure]:
    unit = task.item.base_unit.code
    currency = task.site.company.base_currency.code
    variance_text = f"{_signed(task.variance)} {unit}"
    if task.system_quantity:
        percent = (task.variance * 100 / task.system_quantity).quantize(Decimal("0.1"))
        variance_text += f" ({_signed(percent)}\u00a0%)"  # the percentage wraps as one piece
    figures = [
        Figure(_("Item"), f"{task.item.code} · {task.item.name}"),
        Figure(_("Bin"), task.bin.code),
    ]
    if task.lot_id:
        figures.append(Figure(_("Lot"), task.lot.code))
    figures += [
        Figure(_("System quantity"), f"{_number(task.system_quantity)} {unit}"),
        Figure(_("Counted"), f"{_number(task.counted_quantity)} {unit}"),
        Figure(_("Variance"), variance_text, emphasis=True),
        Figure(_("Variance value"), f"{_signed(task.variance_value)} {currency}", emphasis=True),
    ]
    if task.reason:
        figures.append(Figure(_("Counter's reason"), task.reason))
    return figures


def _count_fingerprint(task) -> str:
    """Changes when the count does: recounted, re-posted, or decided elsewhere."""
    state = "|".join(
        str(v)
        for v in (
            task.status,
            task.system_quantity,
            task.counted_quantity,
            task.variance,
            task.variance_value,
            task.counted_by_id,
            task.counted_at.isoformat() if task.counted_at else "",
        )
    )
    return hashlib.sha256(state.encode()).hexdigest()


def _count_urgency(task) -> str:
    limit = task.bin.warehouse.count_variance_value
    if task.variance_value is not None and abs(task.variance_value) >= URGENT_VALUE_FACTOR * limit:
        return "high"
    return "normal"


def _approve_count(*, record, user, password, comment):
    from wms.services.counting import approve_count

    return approve_count(task=record, user=user, password=password, reason=comment)


def _reject_count(*, record, user, password, comment):
    from wms.services.counting import reject_count

    return reject_count(task=record, user=user, password=password, reason=comment)


def _count_model():
    from wms.models import CountTask

    return CountTask


def _adjustment_needs_approval(adjustment) -> bool:
    from wms.models import AdjustmentStatus

    return adjustment.status == AdjustmentStatus.PENDING_APPROVAL


def _adjustment_title(adjustment) -> str:
    return _("Stock adjustment of %(item)s in bin %(bin)s") % {
        "item": adjustment.item.code,
        "bin": adjustment.bin.code,
    }


def _adjustment_figures(adjustment) -> list[Figure]:
    unit = adjustment.item.base_unit.code
    currency = adjustment.site.company.base_currency.code
    change = f"{_signed(adjustment.quantity)} {unit}"
    if adjustment.system_quantity:
        percent = (adjustment.quantity * 100 / adjustment.system_quantity).quantize(Decimal("0.1"))
        change += f" ({_signed(percent)}\u00a0%)"
    figures = [
        Figure(_("Item"), f"{adjustment.item.code} · {adjustment.item.name}"),
        Figure(_("Bin"), adjustment.bin.code),
    ]
    if adjustment.lot_code:
        figures.append(Figure(_("Lot"), adjustment.lot_code))
    figures += [
        Figure(_("On hand"), f"{_number(adjustment.system_quantity)} {unit}"),
        Figure(_("Change"), change, emphasis=True),
        Figure(_("Value"), f"{_number(adjustment.value)} {currency}", emphasis=True),
        Figure(_("Reason"), adjustment.get_reason_code_display()),
    ]
    if adjustment.note:
        figures.append(Figure(_("Note"), adjustment.note))
    return figures


def _adjustment_fingerprint(adjustment) -> str:
    state = "|".join(str(v) for v in (adjustment.status, adjustment.quantity, adjustment.system_quantity))
    return hashlib.sha256(state.encode()).hexdigest()


def _adjustment_urgency(adjustment) -> str:
    return (
        "high" if adjustment.value >= URGENT_VALUE_FACTOR * adjustment.bin.warehouse.count_variance_value else "normal"
    )


def _approve_adjustment(*, record, user, password, comment):
    from wms.services.adjustments import approve_adjustment

    return approve_adjustment(adjustment=record, user=user, password=password, reason=comment)


def _reject_adjustment(*, record, user, password, comment):
    from wms.services.adjustments import reject_adjustment

    return reject_adjustment(adjustment=record, user=user, password=password, reason=comment)


def _adjustment_model():
    from wms.models import StockAdjustment

    return StockAdjustment


def register_kinds() -> None:
    """Declare the warehouse's approvals (called from WmsConfig.ready)."""
    register(
        ApprovalKind(
            name=COUNT_VARIANCE,
            label=gettext_lazy("Count variance"),
            model=_count_model(),
            roles=(Role.SUPERVISOR, Role.ADMIN),
            title=_count_title,
            figures=_count_figures,
            fingerprint=_count_fingerprint,
            approve=_approve_count,
            reject=_reject_count,
            needs_approval=_count_needs_approval,
            urgency=_count_urgency,
            url=lambda task: reverse("wms:count-detail", args=[task.pk]),
            escalate_after=timedelta(hours=8),
            related=("site__company__base_currency", "item__base_unit", "bin__warehouse", "lot", "counted_by"),
        )
    )
    register(
        ApprovalKind(
            name=STOCK_ADJUSTMENT,
            label=gettext_lazy("Stock adjustment"),
            model=_adjustment_model(),
            roles=(Role.SUPERVISOR, Role.ADMIN),
            title=_adjustment_title,
            figures=_adjustment_figures,
            fingerprint=_adjustment_fingerprint,
            approve=_approve_adjustment,
            reject=_reject_adjustment,
            needs_approval=_adjustment_needs_approval,
            urgency=_adjustment_urgency,
            url=lambda adjustment: reverse("wms:adjustment-list") + f"?status={adjustment.status}",
            escalate_after=timedelta(hours=8),
            related=("site__company__base_currency", "item__base_unit", "bin__warehouse", "lot", "requested_by"),
        )
    )


def _record(event, model_name: str, key: str, related: tuple[str, ...]):
    """The record an approval event names by `payload[key]`, with what its card shows."""
    from django.apps import apps

    pk = event.payload.get(key)
    if pk is None:
        return None
    return apps.get_model("wms", model_name).objects.select_related(*related).filter(pk=pk).first()


def _close_for(event, *, kind: str, key: str, status, load, decider: str, note: str) -> None:
    """Close the inbox request of the record the event names, when one was asked for (most
    counts and adjustments are posted within the thresholds: nothing was asked)."""
    from core.models import OPEN_APPROVAL_STATUSES, ApprovalRequest
    from core.services.approvals import close_requests_for

    waiting = ApprovalRequest.objects.filter(
        kind=kind, object_id=str(event.payload.get(key)), status__in=OPEN_APPROVAL_STATUSES
    )
    if not waiting.exists():
        return
    record = load(event)
    if record is not None:
        close_requests_for(record=record, status=status, user=getattr(record, decider), comment=getattr(record, note))


def _task(event):
    return _record(
        event,
        "CountTask",
        "task",
        ("site__company__base_currency", "item__base_unit", "bin__warehouse", "lot", "counted_by", "approved_by"),
    )


@subscribe("wms.count.awaiting_approval")
def ask_for_count_approval(event) -> None:
    """A submitted count is above the thresholds: put it in the approvers' inbox."""
    from core.services.approvals import request_approval

    task = _task(event)
    if task is not None:
        request_approval(kind=COUNT_VARIANCE, record=task, requested_by=task.counted_by)


def _close(event, status) -> None:
    _close_for(event, kind=COUNT_VARIANCE, key="task", status=status, load=_task, decider="approved_by", note="reason")


@subscribe("wms.count.posted")
def close_approved_count(event) -> None:
    """Approved on the count's own page: the inbox shows the request as taken."""
    _close(event, ApprovalStatus.APPROVED)


@subscribe("wms.count.rejected")
def close_rejected_count(event) -> None:
    _close(event, ApprovalStatus.REJECTED)


@subscribe("wms.count.cancelled")
def close_cancelled_count(event) -> None:
    _close(event, ApprovalStatus.CANCELLED)


def _adjustment(event):
    return _record(
        event,
        "StockAdjustment",
        "adjustment",
        ("site__company__base_currency", "item__base_unit", "bin__warehouse", "lot", "requested_by", "decided_by"),
    )


@subscribe("wms.adjustment.awaiting_approval")
def ask_for_adjustment_approval(event) -> None:
    """A desk adjustment is above the thresholds: put it in the approvers' inbox."""
    from core.services.approvals import request_approval

    adjustment = _adjustment(event)
    if adjustment is not None:
        request_approval(kind=STOCK_ADJUSTMENT, record=adjustment, requested_by=adjustment.requested_by)


def _close_adjustment(event, status) -> None:
    _close_for(
        event,
        kind=STOCK_ADJUSTMENT,
        key="adjustment",
        status=status,
        load=_adjustment,
        decider="decided_by",
        note="decision_note",
    )


@subscribe("wms.adjustment.posted")
def close_approved_adjustment(event) -> None:
    _close_adjustment(event, ApprovalStatus.APPROVED)


@subscribe("wms.adjustment.rejected")
def close_rejected_adjustment(event) -> None:
    _close_adjustment(event, ApprovalStatus.REJECTED)
