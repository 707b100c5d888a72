"""Django admin for the warehouse: a back office for administrators.

The stock ledger and on-hand rows are read-only here: stock changes only through
`wms.services.ledger.post_move` (pages, scanners, the API), so the admin can neither edit nor
delete a move nor type a quantity into a bin.
"""

from django.apps import apps
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import HistoricalChanges

from wms.models import (
    Bin,
    CountSchedule,
    CountTask,
    ExpectedReceipt,
    ExpectedReceiptLine,
    InventoryAlert,
    Lot,
    PickLine,
    PickList,
    StockMove,
    StockPolicy,
    StockQuant,
    Warehouse,
    Zone,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, searchable, never written from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "site"]
    list_filter = ["site"]
    search_fields = ["code", "name"]


@admin.register(Zone)
class ZoneAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "warehouse", "kind", "allows_hazardous", "temperature_class"]
    list_filter = ["kind", "warehouse__site", "temperature_class"]
    search_fields = ["code", "name", "warehouse__code"]
    list_select_related = ["warehouse"]


@admin.register(Bin)
class BinAdmin(SimpleHistoryAdmin):
    list_display = ["code", "warehouse", "zone", "blocked", "blocked_reason", "pick_sequence"]
    list_filter = ["blocked", "zone__kind", "warehouse"]
    search_fields = ["code"]
    list_select_related = ["warehouse", "zone"]
    raw_id_fields = ["zone"]


@admin.register(Lot)
class LotAdmin(SimpleHistoryAdmin):
    list_display = ["code", "item", "site", "status", "expiry", "supplier_lot", "received_at"]
    list_filter = ["status", "site", "is_serial"]
    search_fields = ["code", "item__code", "supplier_lot"]
    list_select_related = ["item", "site"]
    raw_id_fields = ["item", "supplier"]
    readonly_fields = ["status", "status_reason", "received_at"]  # status changes go through the lot service
    date_hierarchy = "received_at"


@admin.register(StockQuant)
class StockQuantAdmin(ReadOnlyAdmin):
    list_display = ["item", "lot", "bin", "quantity", "site", "updated_at"]
    list_filter = ["site", "bin__zone__kind"]
    search_fields = ["item__code", "lot__code", "bin__code"]
    list_select_related = ["item", "lot", "bin", "site"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "item", "lot", "from_bin", "to_bin", "quantity", "reference", "user"]
    list_filter = ["kind", "site"]
    search_fields = ["item__code", "lot__code", "reference", "from_bin__code", "to_bin__code"]
    list_select_related = ["item", "lot", "from_bin", "to_bin", "user"]
    date_hierarchy = "created_at"


@admin.register(StockPolicy)
class StockPolicyAdmin(admin.ModelAdmin):
    list_display = ["site", "item", "reorder_point", "safety_stock"]
    list_filter = ["site"]
    search_fields = ["item__code"]
    raw_id_fields = ["item"]


class ExpectedReceiptLineInline(admin.TabularInline):
    model = ExpectedReceiptLine
    extra = 0
    raw_id_fields = ["item"]


@admin.register(ExpectedReceipt)
class ExpectedReceiptAdmin(SimpleHistoryAdmin):
    list_display = ["number", "site", "supplier", "expected_date", "status"]
    list_filter = ["status", "site"]
    search_fields = ["number", "reference"]
    inlines = [ExpectedReceiptLineInline]


class PickLineInline(admin.TabularInline):
    model = PickLine
    extra = 0
    raw_id_fields = ["item", "lot", "bin", "move"]


@admin.register(PickList)
class PickListAdmin(SimpleHistoryAdmin):
    list_display = ["number", "site", "purpose", "reference", "status", "created_at"]
    list_filter = ["status", "purpose", "site"]
    search_fields = ["number", "reference"]
    inlines = [PickLineInline]


@admin.register(CountSchedule)
class CountScheduleAdmin(admin.ModelAdmin):
    list_display = ["site", "abc_class", "interval_days"]
    list_filter = ["site"]


@admin.register(CountTask)
class CountTaskAdmin(SimpleHistoryAdmin):
    list_display = ["bin", "item", "lot", "due_date", "status", "counted_quantity", "variance"]
    list_filter = ["status", "site"]
    search_fields = ["bin__code", "item__code"]
    raw_id_fields = ["bin", "item", "lot", "adjustment"]
    readonly_fields = ["adjustment", "system_quantity", "variance", "variance_value"]


@admin.register(InventoryAlert)
class InventoryAlertAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "site", "kind", "severity", "message", "resolved_at"]
    list_filter = ["kind", "severity", "site"]
    search_fields = ["message", "key"]


def _register_the_rest() -> None:
    """Every other warehouse model (added later) gets a plain admin, so none is missing."""
    for model in apps.get_app_config("wms").get_models():
        if issubclass(model, HistoricalChanges) or admin.site.is_registered(model):
            continue
        admin.site.register(model)


_register_the_rest()
