"""The columns of each desk list: its headings, what each sorts by and what an export writes
(`core.listing.Column`). Exports write the values themselves (numbers stay numbers)."""

from django.utils.translation import gettext_lazy as _

from core.listing import Column
from wms.models import LotStatus, ZoneKind


def _code(obj, path: str):
    for name in path.split("."):
        obj = getattr(obj, name, None) if obj is not None else None
    return obj


def _name(user):
    return (user.get_full_name() or user.username) if user else ""


LOTS = [
    Column("code", _("Lot / serial"), ("code",), lambda lot: lot.code),
    Column("item", _("Item"), ("item__code",), lambda lot: lot.item.code),
    Column("item_name", _("Item name"), (), lambda lot: lot.item.name),
    Column("status", _("Status"), ("status",), lambda lot: lot.get_status_display()),
    Column("expiry", _("Expiry"), ("expiry",), lambda lot: lot.expiry),
    Column("supplier", _("Supplier"), ("supplier__code",), lambda lot: _code(lot, "supplier.code")),
    Column("supplier_lot", _("Supplier lot"), ("supplier_lot",), lambda lot: lot.supplier_lot),
    Column("received", _("Received"), ("received_at",), lambda lot: lot.received_at),
]

MOVES = [
    Column("time", _("Time"), ("created_at",), lambda m: m.created_at),
    Column("kind", _("Kind"), ("kind",), lambda m: m.get_kind_display()),
    Column("item", _("Item"), ("item__code",), lambda m: m.item.code),
    Column("lot", _("Lot"), ("lot__code",), lambda m: _code(m, "lot.code")),
    Column("from", _("From"), ("from_bin__code",), lambda m: _code(m, "from_bin.code")),
    Column("to", _("To"), ("to_bin__code",), lambda m: _code(m, "to_bin.code")),
    Column("quantity", _("Quantity"), ("quantity",), lambda m: m.quantity, num=True),
    Column("unit", _("Unit"), (), lambda m: m.item.base_unit.code),
    Column("reference", _("Reference"), ("reference",), lambda m: m.reference),
    Column("reason", _("Reason"), (), lambda m: m.reason),
    Column("user", _("By"), ("user__username",), lambda m: _name(m.user)),
]

RECEIPTS = [
    Column("number", _("Number"), ("number",), lambda r: r.number),
    Column("supplier", _("Supplier"), ("supplier__code",), lambda r: _code(r, "supplier.code")),
    Column("reference", _("Reference"), ("reference",), lambda r: r.reference),
    Column("expected", _("Expected on"), ("expected_date",), lambda r: r.expected_date),
    Column("lines", _("Lines"), (), lambda r: len(r.lines.all()), num=True),
    Column("status", _("Status"), ("status",), lambda r: r.get_status_display()),
    Column("created", _("Created"), ("created_at",), lambda r: r.created_at),
]

PICK_LISTS = [
    Column("number", _("Number"), ("number",), lambda p: p.number),
    Column("purpose", _("Purpose"), ("purpose",), lambda p: p.get_purpose_display()),
    Column("reference", _("Reference"), ("reference",), lambda p: p.reference),
    Column("stage", _("Stage to"), ("destination_bin__code",), lambda p: _code(p, "destination_bin.code")),
    Column("lines", _("Lines"), (), lambda p: len(p.lines.all()), num=True),
    Column("status", _("Status"), ("status",), lambda p: p.get_status_display()),
    Column("created", _("Created"), ("created_at",), lambda p: p.created_at),
    Column("completed", _("Completed"), ("completed_at",), lambda p: p.completed_at),
]

COUNTS = [
    Column("due", _("Due"), ("due_date",), lambda t: t.due_date),
    Column("bin", _("Bin"), ("bin__code",), lambda t: t.bin.code),
    Column("item", _("Item"), ("item__code",), lambda t: t.item.code),
    Column("lot", _("Lot"), ("lot__code",), lambda t: _code(t, "lot.code")),
    Column("status", _("Status"), ("status",), lambda t: t.get_status_display()),
    Column("counted", _("Counted"), ("counted_quantity",), lambda t: t.counted_quantity, num=True),
    Column("variance", _("Variance"), ("variance",), lambda t: t.variance, num=True),
    Column("variance_value", _("Variance value"), ("variance_value",), lambda t: t.variance_value, num=True),
    Column("counted_by", _("Counted by"), ("counted_by__username",), lambda t: _name(t.counted_by)),
]

ALERTS = [
    Column("severity", _("Severity"), ("severity",), lambda a: a.get_severity_display()),
    Column("kind", _("Kind"), ("kind",), lambda a: a.get_kind_display()),
    Column("message", _("Message"), (), lambda a: a.text),
    Column("item", _("Item"), ("item__code",), lambda a: _code(a, "item.code")),
    Column("lot", _("Lot"), ("lot__code",), lambda a: _code(a, "lot.code")),
    Column("bin", _("Bin"), ("bin__code",), lambda a: _code(a, "bin.code")),
    Column("raised", _("Raised"), ("raised_at",), lambda a: a.raised_at),
    Column("resolved", _("Resolved"), ("resolved_at",), lambda a: a.resolved_at),
]

BINS = [
    Column("code", _("Bin"), ("code",), lambda b: b.code),
    Column("warehouse", _("Warehouse"), ("warehouse__code",), lambda b: b.warehouse.code),
    Column("zone", _("Zone"), ("zone__code",), lambda b: b.zone.code),
    Column("zone_kind", _("Zone kind"), ("zone__kind",), lambda b: b.zone.get_kind_display()),
    Column("capacity", _("Capacity"), ("max_volume_l",), lambda b: b.max_volume_l, num=True),
    Column("max_lots", _("Max lots"), ("max_lots",), lambda b: b.max_lots, num=True),
    Column("utilisation", _("Utilisation"), (), None, num=True),
    Column("lines", _("Stock lines"), (), None, num=True),
    Column("value", _("Value"), (), None, num=True),
    Column("pick_sequence", _("Pick sequence"), ("pick_sequence",), lambda b: b.pick_sequence, num=True),
    Column("blocked", _("State"), ("blocked",), lambda b: b.blocked),
]

STOCK_BY_ITEM = [
    Column("item", _("Item"), ("item__code",), lambda r: r["item__code"]),
    Column("name", _("Name"), ("item__name",), lambda r: r["item__name"]),
    Column("abc", _("ABC"), ("item__abc_class",), lambda r: r["item__abc_class"]),
    Column("quantity", _("On hand"), ("quantity",), lambda r: r["quantity"], num=True),
    Column("unit", _("Unit"), (), lambda r: r["item__base_unit__code"]),
    Column("value", _("Value"), ("value",), lambda r: r["value"], num=True),
    Column("bins", _("Bins"), ("bins",), lambda r: r["bins"], num=True),
    Column("lots", _("Lots"), ("lots",), lambda r: r["lots"], num=True),
    Column("last_change", _("Last change"), ("last_change",), lambda r: r["last_change"]),
]

STOCK_LINES = [
    Column("bin", _("Bin"), ("bin__code",), lambda q: q.bin.code),
    Column("zone", _("Zone"), ("bin__zone__kind",), lambda q: q.bin.zone.get_kind_display()),
    Column("item", _("Item"), ("item__code",), lambda q: q.item.code),
    Column("lot", _("Lot"), ("lot__code",), lambda q: _code(q, "lot.code")),
    Column("status", _("Status"), ("lot__status",), lambda q: q.lot.get_status_display() if q.lot else ""),
    Column("expiry", _("Expiry"), ("lot__expiry",), lambda q: _code(q, "lot.expiry")),
    Column("quantity", _("Quantity"), ("quantity",), lambda q: q.quantity, num=True),
    Column("unit", _("Unit"), (), lambda q: q.item.base_unit.code),
]

STOCK_AS_OF = [
    Column("item", _("Item"), ("item_code",), lambda r: r["item_code"]),
    Column("name", _("Name"), ("item_name",), lambda r: r["item_name"]),
    Column("bin", _("Bin"), ("bin_code",), lambda r: r["bin_code"]),
    Column("zone", _("Zone kind"), ("zone_kind",), lambda r: str(ZoneKind(r["zone_kind"]).label)),
    Column("lot", _("Lot"), ("lot_code",), lambda r: r["lot_code"]),
    Column("quantity", _("Quantity"), ("quantity",), lambda r: r["quantity"], num=True),
    Column("unit", _("Unit"), (), lambda r: r["unit_code"]),
    Column("value", _("Value"), ("value",), lambda r: r["value"], num=True),
]

AGEING = [
    Column("item", _("Item"), ("item__code",), lambda r: r["item__code"]),
    Column("name", _("Name"), ("item__name",), lambda r: r["item__name"]),
    Column("lot", _("Lot"), ("lot__code",), lambda r: r["lot__code"]),
    Column("status", _("Status"), ("lot__status",), lambda r: str(LotStatus(r["lot__status"]).label)),
    Column("received", _("Received"), ("received",), lambda r: r["received"]),
    Column("age", _("Age (days)"), ("age_days",), lambda r: r["age_days"], num=True),
    Column("bucket", _("Age bucket"), ("age_days",), lambda r: str(r["bucket_label"])),
    Column("quantity", _("Quantity"), ("quantity",), lambda r: r["quantity"], num=True),
    Column("unit", _("Unit"), (), lambda r: r["item__base_unit__code"]),
    Column("value", _("Value"), ("value",), lambda r: r["value"], num=True),
]
