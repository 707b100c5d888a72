"""Stock in the past and its age, read from the ledger.

Stock on a date is the sum of the moves up to that moment: each move adds its quantity to its
`to_bin` and takes it from its `from_bin`. Two grouped queries (what came into each bin, lot and
item; what left it) over the moves up to the moment, filtered in the database, then added up:
no query per row and no replay in Python. The ledger is append-only, so the answer for a past
moment never changes.

Ageing is today's stock of each lot by how long ago the lot was received.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import DecimalField, F, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Item
from wms.models import Bin, CountTask, Lot, LotStatus, StockMove
from wms.selectors.stock import BLIND_COUNT_STATUSES, SEES_BLIND_COUNTS, stock_list

_VALUE = DecimalField(max_digits=24, decimal_places=4)


def stock_as_of(
    *, user, at: datetime, site=None, item=None, lot_code: str = "", bin=None, warehouse=None, zone_kind: str = ""
) -> list[dict]:
    """What was on hand at `at` per item, bin and lot, for the user's sites: the rows
    `/api/v1/wms/stock/` shows now, as they stood then (positive quantities only), ordered by
    item and bin code. Filters narrow the moves read, so a filtered question reads fewer."""
    moves = StockMove.objects.for_user(user).filter(created_at__lte=at)
    if site is not None:
        moves = moves.filter(site=site)
    if item is not None:
        moves = moves.filter(item=item)
    if lot_code:
        moves = moves.filter(lot__code=lot_code)

    def side(name: str):
        rows = moves.filter(**{f"{name}__isnull": False})
        if bin is not None:
            rows = rows.filter(**{name: bin})
        if warehouse is not None:
            rows = rows.filter(**{f"{name}__warehouse": warehouse})
        if zone_kind:
            rows = rows.filter(**{f"{name}__zone__kind": zone_kind})
        return rows.values("item_id", "lot_id", bin_id=F(f"{name}_id")).annotate(total=Sum("quantity")).order_by()

    totals: dict[tuple[int, int, int | None], Decimal] = {}
    for row in side("to_bin"):
        key = (row["item_id"], row["bin_id"], row["lot_id"])
        totals[key] = totals.get(key, Decimal(0)) + row["total"]
    for row in side("from_bin"):
        key = (row["item_id"], row["bin_id"], row["lot_id"])
        totals[key] = totals.get(key, Decimal(0)) - row["total"]
    totals = {key: quantity for key, quantity in totals.items() if quantity > 0}
    if not totals:
        return []
    if not (user and user.is_authenticated and user.has_role(*SEES_BLIND_COUNTS)):
        # A count is blind at any date: an open count's row is left out, as on the stock list.
        blind = CountTask.objects.filter(
            status__in=BLIND_COUNT_STATUSES, bin_id__in={key[1] for key in totals}
        ).values_list("item_id", "bin_id", "lot_id")
        for key in blind:
            totals.pop(tuple(key), None)
    items = Item.objects.select_related("base_unit").in_bulk({key[0] for key in totals})
    bins = Bin.objects.select_related("warehouse__site", "zone").in_bulk({key[1] for key in totals})
    lots = Lot.objects.in_bulk({key[2] for key in totals if key[2] is not None})
    rows = []
    for (item_id, bin_id, lot_id), quantity in totals.items():
        item_, bin_, lot = items[item_id], bins[bin_id], lots.get(lot_id)
        rows.append(
            {
                "id": None,
                "item_code": item_.code,
                "item_name": item_.name,
                "lot_code": lot.code if lot else None,
                "lot_id": lot_id,
                "bin_code": bin_.code,
                "bin_id": bin_id,
                "quantity": quantity,
                "unit_code": item_.base_unit.code,
                "site_code": bin_.warehouse.site.code,
                "warehouse_code": bin_.warehouse.code,
                "zone_kind": bin_.zone.kind,
                "zone_kind_label": bin_.zone.get_kind_display(),
                "lot_status": lot.status if lot else None,
                "expiry": lot.expiry if lot else None,
                "updated_at": None,
                "value": quantity * item_.standard_cost,
            }
        )
    rows.sort(key=lambda row: (row["item_code"], row["bin_code"], row["lot_code"] or ""))
    return rows


@dataclass(frozen=True)
class AgeBucket:
    key: str
    label: str
    low: int  # days, inclusive
    high: int | None  # days, inclusive; None: and older


AGE_BUCKETS = (
    AgeBucket("0-30", _("0–30 days"), 0, 30),
    AgeBucket("31-60", _("31–60 days"), 31, 60),
    AgeBucket("61-90", _("61–90 days"), 61, 90),
    AgeBucket("91-180", _("91–180 days"), 91, 180),
    AgeBucket("181+", _("Over 180 days"), 181, None),
)


def bucket_of(age_days: int) -> AgeBucket:
    for bucket in AGE_BUCKETS:
        if age_days >= bucket.low and (bucket.high is None or age_days <= bucket.high):
            return bucket
    return AGE_BUCKETS[0]  # received "in the future" (a clock ahead): the youngest


def stock_ageing(*, user, site=None, item=None, today: date | None = None) -> dict:
    """Today's stock of each lot with its age in days since it was received (the lot's receipt
    time, else its first move into stock), its bucket, and the totals per bucket.

    Returns `{"rows": [...], "buckets": [{"key", "label", "lots", "value"}]}`;
    stock without a lot has no receipt date and is not aged."""
    today = today or timezone.localdate()
    first_in = (
        StockMove.objects.filter(lot=OuterRef("lot_id"), to_bin__isnull=False)
        .order_by()
        .values("lot")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    rows = (
        stock_list(user=user, site=site, item=item)
        .filter(lot__isnull=False)
        .values(
            "lot_id", "lot__code", "lot__status", "lot__expiry", "item__code", "item__name", "item__base_unit__code"
        )
        .annotate(
            value=Sum(F("quantity") * F("item__standard_cost"), output_field=_VALUE),
            quantity=Sum("quantity"),
            received=Coalesce(Min("lot__received_at"), Subquery(first_in[:1])),
        )
        .order_by("item__code", "lot__code")
    )
    buckets = {b.key: {"key": b.key, "label": b.label, "lots": 0, "value": Decimal(0)} for b in AGE_BUCKETS}
    result = []
    for row in rows:
        received = row["received"]
        age = (today - timezone.localtime(received).date()).days if received else None
        bucket = bucket_of(age) if age is not None else AGE_BUCKETS[0]
        row.update(
            age_days=age, bucket=bucket.key, bucket_label=bucket.label, status_label=LotStatus(row["lot__status"]).label
        )
        buckets[bucket.key]["lots"] += 1
        buckets[bucket.key]["value"] += row["value"] or 0
        result.append(row)
    result.sort(key=lambda row: (-(row["age_days"] or 0), row["item__code"], row["lot__code"]))
    return {"rows": result, "buckets": list(buckets.values())}


def parse_moment(text: str, *, tz=None) -> datetime:
    """A moment named as an ISO 8601 date-time (with or without offset; without, in `tz`, the
    site's zone) or a date (the end of that day in `tz`). Raises ValueError for anything else."""
    from datetime import time, timedelta

    text = (text or "").strip()
    if not text or len(text) > 40 or not text.isprintable():
        raise ValueError(text)
    tz = tz or timezone.get_current_timezone()
    if len(text) == 10:
        day = date.fromisoformat(text)
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz) - timedelta(microseconds=1)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=tz)
    return moment
