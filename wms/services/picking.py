"""Picking: pick lists for production staging and shipments, allocated FEFO/FIFO.

Allocation offers only usable stock: available, unexpired lots in bins that are neither blocked
nor in quarantine or receiving, less what open pick lines already hold. Lines follow the walking
order of the bins; what cannot be allocated is recorded as a short line. Confirming a pick posts
the ledger move (a transfer to the staging bin, or a shipment) and moves the list along its
TRANSITIONS table.
"""

from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.dates import site_today
from core.errors import DomainError, InvalidTransition, ValidationFailed
from core.events import publish, publish_many
from core.models import Item
from core.quantities import parse_quantity, plain_quantity
from core.scoping import require_site_access
from core.states import StateMachine, Transition
from core.units import to_base_unit
from wms.models import (
    Bin,
    Lot,
    PickLine,
    PickLineStatus,
    PickList,
    PickListStatus,
    PickPurpose,
    StockMove,
    StockQuant,
    ZoneKind,
)
from wms.selectors.availability import held_by_bin_and_lot
from wms.services.ledger import post_move
from wms.services.lots import usable_lot_q
from wms.services.numbering import next_document_numbers, save_new_document

NUMBER_PREFIX = "PL"
# Stock in these zones is not yet (or no longer) fit to pick.
UNPICKABLE_ZONES = (ZoneKind.QUARANTINE, ZoneKind.RECEIVING)


class PickLineClosed(DomainError):
    code = "pick_line_closed"
    default_message = gettext_lazy("This line has already been picked.")


S = PickListStatus
# The pick list's life, declared once: name -> from which statuses, to which, who may.
PICK_LIST_STATES = StateMachine(
    {
        "start": Transition(frozenset({S.OPEN}), S.IN_PROGRESS, label=gettext_lazy("started")),
        "finish": Transition(frozenset({S.OPEN, S.IN_PROGRESS}), S.DONE, label=gettext_lazy("finished")),
        "cancel": Transition(
            frozenset({S.OPEN, S.IN_PROGRESS}), S.CANCELLED, "wms.change_picklist", label=gettext_lazy("cancelled")
        ),
    },
    refusal=gettext_noop("A pick list that is %(status)s cannot be %(action)s."),
)
TRANSITIONS = PICK_LIST_STATES.transitions
L = PickLineStatus
# A line is picked in full or short, once.
PICK_LINE_STATES = StateMachine(
    {
        "pick": Transition(frozenset({L.OPEN}), L.PICKED, label=gettext_lazy("picked")),
        "short": Transition(frozenset({L.OPEN}), L.SHORT, label=gettext_lazy("picked short")),
    },
    refusal=gettext_noop("A pick line that is %(status)s cannot be %(action)s."),
)
# Lists whose open lines still hold stock for themselves (the same as HOLDING_LIST_STATUSES,
# which the availability selector reads).
ACTIVE = PICK_LIST_STATES.sources("finish")


def create_pick_list(
    *,
    site,
    purpose: str,
    lines: list[dict],
    user,
    reference: str = "",
    destination_bin: Bin | None = None,
    number: str | None = None,
    hold_destination_stock: bool = False,
) -> PickList:
    """Allocate `lines` (item, quantity, unit) from the site's usable stock and make a pick list.

    Staging lists move the goods to `destination_bin`; shipment lists ship them out. With
    `hold_destination_stock`, stock already in the destination bin is allocated too (a line there
    holds it in place: confirming it moves nothing).
    """
    require_site_access(user, site)
    if purpose not in PickPurpose.values:
        raise ValidationFailed(_("Choose staging or shipment."), field="purpose")
    if purpose == PickPurpose.STAGING:
        if destination_bin is None:
            raise ValidationFailed(_("Choose the bin to stage to."), field="destination_bin", code="required")
        if destination_bin.warehouse.site_id != site.pk:
            raise ValidationFailed(
                _("Bin %(bin)s is not at this site.") % {"bin": destination_bin.code}, field="destination_bin"
            )
        if destination_bin.blocked:
            raise ValidationFailed(
                _("Bin %(bin)s is blocked.") % {"bin": destination_bin.code}, field="destination_bin", code="blocked"
            )
    elif destination_bin is not None:
        raise ValidationFailed(
            _("A shipment leaves the warehouse: it has no destination bin."),
            field="destination_bin",
            code="not_allowed",
        )
    number = (number or "").strip()
    if number and PickList.objects.filter(number=number).exists():
        raise ValidationFailed(
            _("Pick list %(number)s already exists.") % {"number": number}, field="number", code="duplicate"
        )
    if not lines:
        raise ValidationFailed(_("Add at least one line."), field="lines", code="required")
    wanted = []
    for index, data in enumerate(lines, start=1):
        item = data.get("item")
        if item is None:
            raise ValidationFailed(_("Line %(n)s: choose an item.") % {"n": index}, field="lines", code="required")
        if not item.active:
            raise ValidationFailed(
                _("Line %(n)s: item %(item)s is inactive.") % {"n": index, "item": item.code},
                field="lines",
                code="item_inactive",
            )
        quantity = to_base_unit(parse_quantity(data.get("quantity"), field="lines"), data.get("unit"), item)
        wanted.append((item, quantity))

    with transaction.atomic():
        pick_list = save_new_document(
            PickList,
            site=site,
            number=number,
            prefix=NUMBER_PREFIX,
            user=user,
            purpose=purpose,
            reference=reference or "",
            destination_bin=destination_bin,
        )

        picks, shorts = [], []
        taken: dict[int, Decimal] = {}  # quant id -> allocated by earlier lines of this list
        items = sorted({item for item, _q in wanted}, key=lambda i: i.pk)
        # Allocation of an item is serialised by a lock on its row, taken in primary-key order.
        # NO KEY UPDATE leaves stock moves free (their inserts only take KEY SHARE on the item);
        # locking the stock rows instead could deadlock with a move holding the bin this list's
        # lines reference.
        list(Item.objects.select_for_update(no_key=True).filter(pk__in=[i.pk for i in items]).order_by("pk"))
        for item in items:
            candidates = _allocatable(site, item, exclude_bin=None if hold_destination_stock else destination_bin)
            for line_item, quantity in wanted:
                if line_item.pk != item.pk:
                    continue
                taken_lines, remaining = _take_stock(item, quantity, candidates, taken)
                picks += taken_lines
                if remaining > 0:
                    shorts.append(
                        PickLine(
                            item=item,
                            quantity=remaining,
                            short_quantity=remaining,
                            status=PickLineStatus.SHORT,
                        )
                    )

        picks.sort(key=lambda p: (p.bin.pick_sequence, p.bin.code, p.item.code, p.lot.code if p.lot else ""))
        for sequence, pick in enumerate(picks + shorts, start=1):
            pick.pick_list = pick_list
            pick.sequence = sequence
        PickLine.objects.bulk_create(picks + shorts)
        publish(
            "wms.picklist.created",
            {
                "pick_list": pick_list.number,
                "purpose": purpose,
                "reference": pick_list.reference,
                "lines": len(picks),
                "short": [{"item": s.item.code, "quantity": str(s.short_quantity)} for s in shorts],
            },
            site=site,
        )
    return pick_list


def create_staging_lists(*, site, requests: list[dict], user) -> list[PickList]:
    """Many staging lists at once, as `create_pick_list(purpose=staging,
    hold_destination_stock=True)` would make them one after the other: `requests` is
    `[{"reference", "components": [{"item", "quantity", "unit"}], "destination_bin"}]` in the
    order stock is shared out. Items are locked once, in primary-key order, their usable stock
    read once; lists, lines and events are written in bulk."""
    from simple_history.utils import bulk_create_with_history

    require_site_access(user, site)
    if not requests:
        return []
    wanted = []
    for data in requests:
        destination = data["destination_bin"]
        if destination.warehouse.site_id != site.pk or destination.blocked:
            raise ValidationFailed(
                _("Bin %(bin)s cannot take staged stock here.") % {"bin": destination.code},
                field="destination_bin",
            )
        lines = [
            (
                line["item"],
                to_base_unit(parse_quantity(line.get("quantity"), field="lines"), line.get("unit"), line["item"]),
            )
            for line in data["components"]
        ]
        wanted.append((data, lines))
    with transaction.atomic():
        numbers = next_document_numbers(
            site=site,
            prefix=NUMBER_PREFIX,
            count=len(requests),
            taken_in=lambda batch: set(PickList.objects.filter(number__in=batch).values_list("number", flat=True)),
        )
        lists = [
            PickList(
                site=site,
                number=number,
                purpose=PickPurpose.STAGING,
                reference=data.get("reference") or "",
                destination_bin=data["destination_bin"],
                created_by=user,
            )
            for number, (data, _lines) in zip(numbers, wanted, strict=True)
        ]
        lists = bulk_create_with_history(lists, PickList, default_user=user)
        items = sorted({item for _data, lines in wanted for item, _q in lines}, key=lambda i: i.pk)
        list(Item.objects.select_for_update(no_key=True).filter(pk__in=[i.pk for i in items]).order_by("pk"))
        candidates = {item.pk: _allocatable(site, item, exclude_bin=None) for item in items}
        taken: dict[int, Decimal] = {}
        all_lines, shorts_of = [], []
        for pick_list, (_data, lines) in zip(lists, wanted, strict=True):
            picks, shorts = [], []
            for item, quantity in lines:
                taken_lines, remaining = _take_stock(item, quantity, candidates[item.pk], taken)
                picks += taken_lines
                if remaining > 0:
                    shorts.append(
                        PickLine(item=item, quantity=remaining, short_quantity=remaining, status=PickLineStatus.SHORT)
                    )
            picks.sort(key=lambda p: (p.bin.pick_sequence, p.bin.code, p.item.code, p.lot.code if p.lot else ""))
            for sequence, line in enumerate(picks + shorts, start=1):
                line.pick_list = pick_list
                line.sequence = sequence
            all_lines.extend(picks + shorts)
            shorts_of.append((pick_list, len(picks), shorts))
        PickLine.objects.bulk_create(all_lines, batch_size=2000)
        publish_many(
            "wms.picklist.created",
            [
                {
                    "pick_list": pick_list.number,
                    "purpose": PickPurpose.STAGING,
                    "reference": pick_list.reference,
                    "lines": count,
                    "short": [{"item": s.item.code, "quantity": str(s.short_quantity)} for s in shorts],
                }
                for pick_list, count, shorts in shorts_of
            ],
            site=site,
        )
    return lists


def _take_stock(item, quantity: Decimal, candidates, taken: dict) -> tuple[list[PickLine], Decimal]:
    """Pick lines for `quantity` of `item` from `candidates` ((stock row, free quantity), in
    picking order), less what earlier lines of this run took (`taken`, updated); returns the
    lines and the quantity still missing."""
    lines, remaining = [], quantity
    for quant, free in candidates:
        if remaining <= 0:
            break
        free -= taken.get(quant.pk, Decimal(0))
        if free <= 0:
            continue
        amount = min(free, remaining)
        taken[quant.pk] = taken.get(quant.pk, Decimal(0)) + amount
        remaining -= amount
        lines.append(PickLine(item=item, lot=quant.lot, bin=quant.bin, quantity=amount))
    return lines, remaining


def _allocatable(site, item, *, exclude_bin: Bin | None) -> list[tuple[StockQuant, Decimal]]:
    """Usable stock rows of `item` at `site` in picking order (FEFO, else FIFO), each with what
    open pick lists do not already hold. Called under the item's allocation lock, so two lists
    created at once cannot both count the same stock as free."""
    today = site_today(site)
    usable_lot = usable_lot_q(today=today)
    first_in = (
        StockMove.objects.filter(item=OuterRef("item"), to_bin=OuterRef("bin"), lot__isnull=True)
        .order_by()
        .values("to_bin")
        .annotate(first=Min("created_at"))
        .values("first")[:1]
    )
    # The rows are locked (stock rows come after the item lock in the lock order) so that a move
    # cannot take what this allocation is counting as free.
    rows = (
        StockQuant.objects.select_for_update(of=("self",))
        .filter(site=site, item=item, quantity__gt=0, bin__blocked=False)
        .exclude(bin__zone__kind__in=UNPICKABLE_ZONES)
        .filter(Q(lot__isnull=True) | usable_lot)
        .select_related("bin__zone", "lot")
        .annotate(first_in=Subquery(first_in))
        .order_by("pk")
    )
    if exclude_bin is not None:
        rows = rows.exclude(bin=exclude_bin)
    rows = list(rows)
    held = held_by_bin_and_lot(site=site, item=item)
    far_future = datetime.max.replace(tzinfo=UTC)

    def received(quant):
        if quant.lot is not None:
            return quant.lot.received_at or quant.lot.created_at
        return quant.first_in or far_future

    if item.shelf_life_days or any(q.lot is not None and q.lot.expiry is not None for q in rows):
        # FEFO: earliest expiry first; lots without expiry last; then oldest received.
        def key(q):
            expiry = q.lot.expiry if q.lot is not None else None
            return (expiry is None, expiry or today, received(q), q.bin.pick_sequence, q.bin.code)
    else:

        def key(q):
            return (received(q), q.bin.pick_sequence, q.bin.code)

    rows.sort(key=key)
    return [(q, q.quantity - held.get((q.bin_id, q.lot_id), Decimal(0))) for q in rows]


def _matches(scanned, expected, field: str, label: str) -> None:
    """A scanned bin or lot (record or scanned code) must be the one the line names."""
    if scanned is None or scanned == "":
        return
    code = scanned.strip() if isinstance(scanned, str) else scanned.code
    if expected is None or code.casefold() != expected.code.casefold():
        raise ValidationFailed(
            _("Wrong %(what)s: scanned %(scanned)s, the line says %(expected)s.")
            % {"what": label, "scanned": code, "expected": expected.code if expected else "-"},
            field=field,
            code=f"wrong_{field.removeprefix('scanned_')}",
        )


def confirm_pick(
    *, line: PickLine, picked_quantity, user, scanned_bin: Bin | str | None = None, scanned_lot: Lot | str | None = None
) -> PickLine:
    """Record what was picked on `line` and post it: a transfer to the staging bin or a shipment.

    Picking less than the line asks marks it short. The scanned bin and lot, when given, must be
    the line's.
    """
    picked = parse_quantity(picked_quantity, field="picked_quantity", allow_zero=True)
    with transaction.atomic():
        # List before line: every pick of one list takes the locks in the same order.
        pick_list = PickList.objects.select_for_update().select_related("site").get(pk=line.pick_list_id)
        require_site_access(user, pick_list.site)
        line = (
            PickLine.objects.select_for_update(of=("self",))
            .select_related("item__base_unit", "lot", "bin__warehouse__site", "bin__zone")
            .get(pk=line.pk)
        )
        if line.status != PickLineStatus.OPEN or line.bin is None:
            raise PickLineClosed(
                _("Line %(n)s is already %(status)s.")
                % {"n": line.sequence, "status": line.get_status_display().lower()}
            )
        if pick_list.status not in ACTIVE:
            raise InvalidTransition(
                _("Pick list %(number)s is %(status)s.")
                % {"number": pick_list.number, "status": pick_list.get_status_display().lower()},
            )
        _matches(scanned_bin, line.bin, "scanned_bin", _("bin"))
        _matches(scanned_lot, line.lot, "scanned_lot", _("lot"))
        if picked > line.quantity:
            raise ValidationFailed(
                _("Line %(n)s asks for %(quantity)s; more cannot be picked.")
                % {"n": line.sequence, "quantity": plain_quantity(line.quantity)},
                field="picked_quantity",
                code="over_pick",
            )

        move = None
        staging = pick_list.purpose == PickPurpose.STAGING
        # A line held in the destination bin itself is already where it is wanted.
        if picked > 0 and not (staging and line.bin_id == pick_list.destination_bin_id):
            move = post_move(
                kind="transfer" if staging else "shipment",
                item=line.item,
                quantity=picked,
                lot=line.lot,
                from_bin=line.bin,
                to_bin=pick_list.destination_bin if staging else None,
                user=user,
                reference=pick_list.number,
                reason=_("pick line %(n)s") % {"n": line.sequence},
                allocation=line,
            )
        PICK_LINE_STATES.apply(
            line,
            "pick" if picked == line.quantity else "short",
            user,
            also={
                "picked_quantity": picked,
                "short_quantity": line.quantity - picked,
                "picked_by": user,
                "picked_at": timezone.now(),
                "move": move,
            },
        )

        if not pick_list.lines.filter(status=PickLineStatus.OPEN).exists():
            PICK_LIST_STATES.apply(pick_list, "finish", user, also={"completed_at": timezone.now()})
        elif pick_list.status == S.OPEN:
            PICK_LIST_STATES.apply(pick_list, "start", user)
        publish(
            "wms.pick.confirmed",
            {
                "pick_list": pick_list.number,
                "sequence": line.sequence,
                "item": line.item.code,
                "lot": line.lot.code if line.lot else None,
                "bin": line.bin.code,
                "picked": str(picked),
                "short": str(line.short_quantity),
                "move": move.pk if move else None,
                "list_status": pick_list.status,
            },
            site=pick_list.site,
        )
    return line


def cancel_pick_list(*, pick_list: PickList, user) -> PickList:
    """Cancel a list; its open lines stop holding stock. Picks already made stay where they went."""
    require_site_access(user, pick_list.site)
    with transaction.atomic():
        pick_list = PickList.objects.select_for_update().get(pk=pick_list.pk)
        PICK_LIST_STATES.apply(pick_list, "cancel", user)
        publish("wms.picklist.cancelled", {"pick_list": pick_list.number}, site=pick_list.site)
    return pick_list
