"""Production reports: good and scrap counted on a running operation, the lots it consumed
(issues through the stock ledger) and, on the last operation, what it produced (a production
receipt into the work centre's output bin, in a new lot or one serial number per piece).

Each report carries an idempotency key: the same key again answers the first report and applies
nothing twice, also when ten copies arrive at once (the order's row lock serialises them, and the
key is looked up again under it). Locks: work order → operation → the ledger's bins and stock.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rows
from core.errors import DomainError, InvalidTransition, ValidationFailed
from core.events import publish
from core.models import Item, Role, Site, Unit
from core.quantities import parse_quantity, plain_quantity
from core.scoping import require_site_access
from mes.models import (
    Equipment,
    Operation,
    ProductionReport,
    ReportConsumption,
    ReportOutput,
    WorkCentre,
    WorkOrder,
    WorkOrderMaterial,
)
from mes.services.equipment import refuse_quality_hold
from mes.services.operations import REPORTABLE
from mes.services.reservations import ReservedStock
from mes.services.work_orders import check_workable
from wms.models import Lot, MoveKind
from wms.services.ledger import post_move


class OverQuantity(DomainError):
    code = "over_quantity"
    default_message = gettext_lazy("More than the operation's open quantity.")


class NoOutputBin(DomainError):
    code = "no_output_bin"
    default_message = gettext_lazy("The work centre has no output bin.")


OVERRIDE_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def report_production(
    *,
    operation: Operation,
    user,
    idempotency_key: str,
    good=0,
    scrap=0,
    scrap_reason=None,
    consumed: list[dict] | None = None,
    override: bool = False,
    note: str = "",
) -> tuple[ProductionReport, bool]:
    """Book a report on a running operation. Returns (report, created): with a key already used,
    the first report and False, nothing applied again.

    `consumed`: [{"item", "lot" (record or code, for tracked items), "bin", "quantity"}] in the
    item's base unit.
    """
    key = (idempotency_key or "").strip()
    if not key:
        raise ValidationFailed(_("Give the report an idempotency key."), field="idempotency_key", code="required")
    if len(key) > 100:
        raise ValidationFailed(_("At most 100 characters."), field="idempotency_key")
    require_site_access(user, operation.work_order.site_id)

    with transaction.atomic():
        order, operation, existing_id = _lock_for_report(operation, key)
        if existing_id is not None:
            existing = ProductionReport.objects.get(pk=existing_id)
            require_site_access(user, existing.site_id)
            return existing, False
        good, scrap, consumed = _checked_quantities(user, good, scrap, scrap_reason, consumed, override)
        check_workable(order)
        if operation.equipment is not None:
            refuse_quality_hold(operation.equipment)
        if operation.status not in REPORTABLE:
            raise InvalidTransition(
                _("Operation %(seq)s is %(status)s: report on a running operation.")
                % {"seq": operation.sequence, "status": operation.get_status_display().lower()}
            )
        open_quantity = operation.open_quantity
        if good + scrap > open_quantity and not override:
            raise OverQuantity(
                _("Operation %(seq)s has %(open)s %(unit)s open; %(reported)s reported.")
                % {
                    "seq": operation.sequence,
                    "open": plain_quantity(open_quantity),
                    "unit": order.item.base_unit.code,
                    "reported": plain_quantity(good + scrap),
                }
            )
        # The operation's row is locked: its counts are exact here, and written with the report.
        operation.good += good
        operation.scrap += scrap
        report = _create_once(
            key,
            operation=operation,
            work_order=order,
            site=order.site,
            equipment=operation.equipment,
            good=good,
            scrap=scrap,
            scrap_reason=scrap_reason if scrap > 0 else None,
            user=user,
            override=bool(override and good + scrap > open_quantity),
            note=(note or "")[:300],
        )
        consumptions = _consume(report, order, operation, consumed, user)
        last = not operation.has_later  # read with the operation's lock
        if last:
            order.good += good
        order.scrap += scrap
        if (last and good) or scrap:
            order.save(update_fields=["good", "scrap", "updated_at"])
        outputs = _produce(report, order, operation, good, user) if last and good > 0 else []
        # What the answer shows, as written (no re-read).
        _remember(report, consumed=consumptions, outputs=outputs)
        publish(
            "mes.production.reported",
            {
                "report": report.pk,
                "work_order": order.number,
                "operation": operation.pk,
                "sequence": operation.sequence,
                "equipment": operation.equipment.code if operation.equipment else None,
                "good": str(good),
                "scrap": str(scrap),
                "operation_good": str(operation.good),
                "operation_scrap": str(operation.scrap),
                "quantity": str(operation.quantity),
                "consumed": [
                    {"item": c.item.code, "lot": c.lot.code if c.lot else None, "quantity": str(c.quantity)}
                    for c in consumptions
                ],
                "produced": [{"lot": o.lot.code if o.lot else None, "quantity": str(o.quantity)} for o in outputs],
            },
            site=order.site,
        )
    return report, True


def _lock_for_report(operation: Operation, key: str) -> tuple[WorkOrder, Operation, int | None]:
    """Lock the operation's work order, then the operation (the lock order of
    `mes.services.operations.lock_operation`), and return both as its `select_related` loads
    them, the operation's `has_later`, and the id of the report already holding `key`.

    Two plain statements: the ORM's compiling of these two lookups cost more than the rest of a
    report. The key is read by the second, which starts once the order's lock is held, so a copy
    of this report that committed while we waited is found, and answered before anything else is
    checked."""
    order_sql = (
        f"SELECT {rows.columns(WorkOrder, 'w')}, {rows.columns(Site, 's')}, "  # noqa: S608 - placeholders only
        f"{rows.columns(Item, 'i')}, {rows.columns(Unit, 'u')} "
        f"FROM {WorkOrder._meta.db_table} w JOIN {Site._meta.db_table} s ON s.id = w.site_id "
        f"JOIN {Item._meta.db_table} i ON i.id = w.item_id JOIN {Unit._meta.db_table} u ON u.id = i.base_unit_id "
        "WHERE w.id = %s FOR UPDATE OF w"
    )
    operations = Operation._meta.db_table
    operation_sql = (
        f"SELECT {rows.columns(Operation, 'o')}, {rows.columns(WorkCentre, 'c')}, "  # noqa: S608 - placeholders only
        f"{rows.columns(Equipment, 'e')}, "
        f"EXISTS (SELECT 1 FROM {operations} l WHERE l.work_order_id = o.work_order_id AND l.sequence > o.sequence), "
        f"(SELECT r.id FROM {ProductionReport._meta.db_table} r WHERE r.idempotency_key = %s) "
        f"FROM {operations} o JOIN {WorkCentre._meta.db_table} c ON c.id = o.work_centre_id "
        f"LEFT JOIN {Equipment._meta.db_table} e ON e.id = o.equipment_id "
        "WHERE o.id = %s FOR UPDATE OF o"
    )
    with connection.cursor() as cursor:
        cursor.execute(order_sql, [operation.work_order_id])
        found = cursor.fetchone()
        if found is None:
            raise Operation.DoesNotExist
        cursor.execute(operation_sql, [key, operation.pk])
        locked = cursor.fetchone()
    if locked is None:
        raise Operation.DoesNotExist
    order, site, item, unit = _split(found, WorkOrder, Site, Item, Unit)
    item.base_unit = unit
    order.site, order.item = site, item
    operation, centre, equipment = _split(locked, Operation, WorkCentre, Equipment)
    operation.work_centre, operation.equipment, operation.work_order = centre, equipment, order
    operation.has_later, existing_id = locked[-2:]
    return order, operation, existing_id


def _split(row, *models) -> list:
    """The instances of `models` from consecutive slices of `row` (`core.rows.columns` order)."""
    built, start = [], 0
    for model in models:
        built.append(rows.instance(model, row[start : start + rows.width(model)]))
        start += rows.width(model)
    return built


def _remember(report: ProductionReport, **lines: list) -> None:
    """Cache the report's lines as written, as `prefetch_related` would (no re-read to answer)."""
    cache = report.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, written in lines.items():
        queryset = getattr(report, name).all()
        queryset._result_cache = written
        queryset._prefetch_done = True
        cache[name] = queryset


def _checked_quantities(user, good, scrap, scrap_reason, consumed, override):
    """The report's good and scrap as quantities and its consumed lines, or the refusal."""
    good = parse_quantity(good, field="good", allow_zero=True)
    scrap = parse_quantity(scrap, field="scrap", allow_zero=True)
    consumed = list(consumed or [])
    if good == 0 and scrap == 0 and not consumed:
        raise ValidationFailed(_("Report good, scrap or consumed material."), field="good", code="required")
    if scrap > 0 and scrap_reason is None:
        raise ValidationFailed(_("Choose why the pieces were scrapped."), field="scrap_reason", code="required")
    if override and not user.has_role(*OVERRIDE_ROLES):
        raise OverQuantity(_("Only a supervisor may report more than the open quantity."))
    return good, scrap, consumed


def _create_once(key: str, **fields) -> ProductionReport:
    """Insert the report and write its operation's counts (`operation.good`/`scrap`, already
    added to) in one statement; the same key arriving at once for another operation (so not
    serialised by this order's lock) loses the unique-index race and is told so. No savepoint of
    its own: the refusal leaves `report_production`'s transaction, which rolls back whole."""
    report = ProductionReport(idempotency_key=key, **fields)
    columns = [field for field in ProductionReport._meta.concrete_fields if not field.primary_key]
    values = [field.get_db_prep_save(field.pre_save(report, add=True), connection) for field in columns]
    operation = fields["operation"]
    quote = connection.ops.quote_name
    sql = (
        f"WITH report AS (INSERT INTO {ProductionReport._meta.db_table} "  # noqa: S608 - placeholders only
        f"({', '.join(quote(field.column) for field in columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "
        f"RETURNING id), counts AS (UPDATE {Operation._meta.db_table} SET good = %s, scrap = %s WHERE id = %s) "
        "SELECT id FROM report"
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, operation.good, operation.scrap, operation.pk])
            report.pk = cursor.fetchone()[0]
    except IntegrityError as exc:
        raise DomainError(
            _("Idempotency key %(key)s belongs to another report.") % {"key": key}, code="duplicate_key"
        ) from exc
    report._state.adding = False
    report._state.db = connection.alias
    return report


def _consume(report, order, operation, consumed: list[dict], user) -> list[ReportConsumption]:
    if not consumed:
        return []
    materials = {m.component_id: m for m in order.materials.all()}
    reserved = None
    written = []
    for index, line in enumerate(consumed, start=1):
        item, bin_ = line.get("item"), line.get("bin")
        if item is None or bin_ is None:
            raise ValidationFailed(_("Line %(n)s: give the item and the bin.") % {"n": index}, field="consumed")
        if item.pk not in materials:
            raise ValidationFailed(
                _("%(item)s is not a material of %(number)s.") % {"item": item.code, "number": order.number},
                field="consumed",
                code="not_a_material",
            )
        if bin_.warehouse.site_id != order.site_id:
            raise ValidationFailed(_("Bin %(bin)s is not at this site.") % {"bin": bin_.code}, field="consumed")
    if consumed:
        # The order's allocation lines, locked before any bin or stock row (core.locking).
        reserved = ReservedStock(order=order, item_ids={line["item"].pk for line in consumed})
    for line in consumed:
        item, bin_ = line["item"], line["bin"]
        quantity = parse_quantity(line.get("quantity"), field="consumed")
        lot = line.get("lot")
        if isinstance(lot, str) and lot:
            lot = Lot.objects.filter(site_id=order.site_id, item=item, code=lot).first() or lot
        pick_list, allocation = reserved.line_for(item=item, bin=bin_, lot=lot if isinstance(lot, Lot) else None)
        move = post_move(
            kind=MoveKind.ISSUE,
            item=item,
            quantity=quantity,
            user=user,
            lot=lot if isinstance(lot, Lot) else None,
            lot_code=lot if isinstance(lot, str) and lot else None,
            from_bin=bin_,
            reference=order.number,
            reason=_("operation %(seq)s") % {"seq": operation.sequence},
            allocation=allocation,
        )
        reserved.consumed(pick_list=pick_list, line=allocation, move=move, user=user)
        written.append(
            ReportConsumption.objects.create(
                report=report, item=item, lot=move.lot, bin=bin_, quantity=move.quantity, move=move
            )
        )
        WorkOrderMaterial.objects.filter(pk=materials[item.pk].pk).update(issued=F("issued") + move.quantity)
    return written


def _produce(report, order, operation, good: Decimal, user) -> list[ReportOutput]:
    """The finished quantity into the output bin: one new lot per report, or one serial number per
    piece for serial-tracked items."""
    bin_ = operation.work_centre.output_bin
    if bin_ is None:
        raise NoOutputBin(
            _("Work centre %(wc)s has no output bin for what it makes.") % {"wc": operation.work_centre.code}
        )
    item = order.item
    today = timezone.localdate()
    attributes = {"manufactured_on": today}
    if item.shelf_life_days:
        attributes["expiry"] = today + timedelta(days=item.shelf_life_days)
    made = ReportOutput.objects.filter(report__work_order=order).count()
    if item.tracking == "serial":
        if good != good.to_integral_value():
            raise ValidationFailed(_("Serial-numbered items are reported in whole pieces."), field="good")
        batches = [(f"{order.number}-{made + n:04d}", Decimal(1)) for n in range(1, int(good) + 1)]
    elif item.is_lot_tracked:
        batches = [(f"{order.number}-{made + 1:03d}", good)]
    else:
        batches = [(None, good)]
    written = []
    for lot_code, quantity in batches:
        move = post_move(
            kind=MoveKind.PRODUCTION_RECEIPT,
            item=item,
            quantity=quantity,
            user=user,
            lot_code=lot_code,
            to_bin=bin_,
            reference=order.number,
            reason=_("operation %(seq)s") % {"seq": operation.sequence},
            lot_attributes=attributes if lot_code else None,
        )
        written.append(
            ReportOutput.objects.create(report=report, item=item, lot=move.lot, bin=bin_, quantity=quantity, move=move)
        )
    return written
