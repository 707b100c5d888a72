"""Reads of expected receipts, putaway work and pick lists, shared by the API and the pages.

Every function takes the requesting `user` and returns only that user's sites' rows.
"""

from django.db.models import Prefetch, Q, QuerySet

from wms.models import (
    ExpectedReceipt,
    ExpectedReceiptLine,
    LotStatus,
    PickLine,
    PickLineStatus,
    PickList,
    PickListStatus,
    ReceiptStatus,
    StockQuant,
    ZoneKind,
)

OPEN_RECEIPT_STATUSES = (ReceiptStatus.OPEN, ReceiptStatus.PARTIAL)
OPEN_PICK_LIST_STATUSES = (PickListStatus.OPEN, PickListStatus.IN_PROGRESS)


def _documents(rows, *, site, status, **equal):
    """`rows` of `site`, in `status` (one or several) and equal to each of `equal`, where given."""
    if site is not None:
        rows = rows.filter(site=site)
    if status is not None:
        rows = rows.filter(status__in=status if isinstance(status, list | tuple | set) else [status])
    return rows.filter(**{name: value for name, value in equal.items() if value is not None})


def expected_receipt_list(*, user, site=None, status=None, supplier=None) -> QuerySet[ExpectedReceipt]:
    """Expected receipts with their lines (item and base unit), newest expected first."""
    lines = ExpectedReceiptLine.objects.select_related("item__base_unit").order_by("line_no")
    rows = (
        ExpectedReceipt.objects.for_user(user)
        .select_related("site", "supplier", "created_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )
    return _documents(rows, site=site, status=status, supplier=supplier)


def open_expected_receipts(*, user, site=None) -> QuerySet[ExpectedReceipt]:
    """Deliveries still expected (open or partly received), earliest expected first."""
    return expected_receipt_list(user=user, site=site, status=OPEN_RECEIPT_STATUSES).order_by("expected_date", "number")


def expected_receipt_line_list(*, user, receipt=None, open_only: bool = False) -> QuerySet[ExpectedReceiptLine]:
    rows = ExpectedReceiptLine.objects.for_user(user).select_related("receipt__site", "item__base_unit")
    if receipt is not None:
        rows = rows.filter(receipt=receipt)
    if open_only:
        rows = rows.filter(closed=False, receipt__status__in=OPEN_RECEIPT_STATUSES)
    return rows.order_by("receipt__number", "line_no")


def putaway_queue(*, user, site=None) -> QuerySet[StockQuant]:
    """Stock waiting to be put away, oldest first: what sits in receiving bins, lots quality has
    released that still sit in quarantine, and lots quality has set aside (quarantined, held,
    rejected) that still sit in a storage zone: the zone follows the lot's status."""
    released = Q(bin__zone__kind=ZoneKind.QUARANTINE, lot__status=LotStatus.AVAILABLE)
    set_aside = Q(lot__status__in=(LotStatus.QUARANTINE, LotStatus.ON_HOLD, LotStatus.REJECTED)) & ~Q(
        bin__zone__kind=ZoneKind.QUARANTINE
    )
    rows = (
        StockQuant.objects.for_user(user)
        .filter(Q(bin__zone__kind=ZoneKind.RECEIVING) | released | set_aside, quantity__gt=0)
        .select_related("item__base_unit", "lot", "bin__zone", "bin__warehouse", "site")
        .order_by("updated_at", "pk")
    )
    if site is not None:
        rows = rows.filter(site=site)
    return rows


def pick_list_list(*, user, site=None, status=None, purpose=None) -> QuerySet[PickList]:
    """Pick lists with their lines in walking order."""
    lines = PickLine.objects.select_related(
        "item__base_unit", "lot", "bin__zone", "bin__warehouse", "picked_by"
    ).order_by("sequence")
    rows = (
        PickList.objects.for_user(user)
        .select_related("site", "destination_bin", "created_by")
        .prefetch_related(Prefetch("lines", queryset=lines))
    )
    return _documents(rows, site=site, status=status, purpose=purpose)


def open_pick_lists(*, user, site=None) -> QuerySet[PickList]:
    """Lists still to pick, oldest first."""
    return pick_list_list(user=user, site=site, status=OPEN_PICK_LIST_STATUSES).order_by("created_at")


def pick_line_list(*, user, pick_list=None, open_only: bool = False) -> QuerySet[PickLine]:
    rows = PickLine.objects.for_user(user).select_related(
        "pick_list__site", "item__base_unit", "lot", "bin__zone", "bin__warehouse", "picked_by"
    )
    if pick_list is not None:
        rows = rows.filter(pick_list=pick_list)
    if open_only:
        rows = rows.filter(status=PickLineStatus.OPEN, pick_list__status__in=OPEN_PICK_LIST_STATUSES)
    return rows.order_by("pick_list", "sequence")
