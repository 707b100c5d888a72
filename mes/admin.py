"""Django admin for production: a back office for administrators.

Plant master data, calendars and reason trees are edited here. Work orders, operations, BOM and
routing versions and production records change only through their services (pages, terminals,
the API), so the admin shows them read-only: a status or a count typed in here would skip the
state machines, the signatures and the stock ledger.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from mes.models import (
    BOM,
    Alert,
    AlertRule,
    Area,
    BOMLine,
    DeadLetter,
    DowntimeReason,
    Equipment,
    EquipmentClass,
    EquipmentStateRecord,
    Holiday,
    IdealCycleTime,
    Operation,
    PlannedDowntime,
    ProcessParameter,
    ProductionReport,
    ReportConsumption,
    ReportOutput,
    Routing,
    RoutingOperation,
    ScrapReason,
    Shift,
    ShiftBreak,
    ShiftCalendar,
    WorkCentre,
    WorkInstruction,
    WorkOrder,
    WorkOrderMaterial,
)


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "site"]
    list_filter = ["site"]
    search_fields = ["code", "name"]


@admin.register(WorkCentre)
class WorkCentreAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "site", "area", "calendar", "output_bin", "line_side_bin", "active"]
    list_filter = ["site", "active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["output_bin", "line_side_bin"]


@admin.register(EquipmentClass)
class EquipmentClassAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class IdealCycleTimeInline(admin.TabularInline):
    model = IdealCycleTime
    extra = 0
    raw_id_fields = ["item"]


@admin.register(Equipment)
class EquipmentAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "site", "work_centre", "equipment_class", "state", "state_since", "active"]
    list_filter = ["site", "state", "equipment_class"]
    search_fields = ["code", "name"]
    readonly_fields = ["state", "state_since"]
    inlines = [IdealCycleTimeInline]


@admin.register(EquipmentStateRecord)
class EquipmentStateRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["equipment", "state", "started_at", "ended_at", "reason"]
    list_filter = ["state", "equipment__site"]
    search_fields = ["equipment__code"]


class ShiftInline(admin.TabularInline):
    model = Shift
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(ShiftCalendar)
class ShiftCalendarAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "site"]
    list_filter = ["site"]
    inlines = [ShiftInline, HolidayInline]


class ShiftBreakInline(admin.TabularInline):
    model = ShiftBreak
    extra = 0


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["calendar", "code", "name", "start", "end", "weekdays"]
    inlines = [ShiftBreakInline]


@admin.register(PlannedDowntime)
class PlannedDowntimeAdmin(admin.ModelAdmin):
    list_display = ["calendar", "equipment", "start", "end", "reason"]
    list_filter = ["calendar"]


@admin.register(DowntimeReason)
class DowntimeReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "planned", "active"]
    list_filter = ["planned", "active"]
    search_fields = ["code", "name"]


@admin.register(ScrapReason)
class ScrapReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "active"]
    search_fields = ["code", "name"]


class BOMLineInline(ReadOnlyMixin, admin.TabularInline):
    model = BOMLine
    extra = 0


@admin.register(BOM)
class BOMAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["item", "site", "version", "status", "valid_from", "valid_to", "approved_by"]
    list_filter = ["site", "status"]
    search_fields = ["item__code"]
    inlines = [BOMLineInline]


class RoutingOperationInline(ReadOnlyMixin, admin.TabularInline):
    model = RoutingOperation
    extra = 0


@admin.register(Routing)
class RoutingAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["item", "site", "version", "status", "valid_from", "valid_to", "approved_by"]
    list_filter = ["site", "status"]
    search_fields = ["item__code"]
    inlines = [RoutingOperationInline]


class WorkOrderMaterialInline(ReadOnlyMixin, admin.TabularInline):
    model = WorkOrderMaterial
    extra = 0


class OperationInline(ReadOnlyMixin, admin.TabularInline):
    model = Operation
    extra = 0
    fields = ["sequence", "name", "work_centre", "equipment", "status", "quantity", "good", "scrap"]


@admin.register(WorkOrder)
class WorkOrderAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ["number", "site", "item", "quantity", "due", "priority", "status", "good", "scrap"]
    list_filter = ["site", "status"]
    search_fields = ["number", "item__code", "reference"]
    inlines = [WorkOrderMaterialInline, OperationInline]


class ReportConsumptionInline(ReadOnlyMixin, admin.TabularInline):
    model = ReportConsumption
    extra = 0


class ReportOutputInline(ReadOnlyMixin, admin.TabularInline):
    model = ReportOutput
    extra = 0


@admin.register(ProductionReport)
class ProductionReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reported_at", "work_order", "operation", "equipment", "good", "scrap", "user"]
    list_filter = ["site"]
    search_fields = ["work_order__number", "idempotency_key"]
    inlines = [ReportConsumptionInline, ReportOutputInline]


# --- alerts --------------------------------------------------------------------------------------


@admin.register(ProcessParameter)
class ProcessParameterAdmin(admin.ModelAdmin):
    """The limits of a routing step's critical parameters (the `outside_limits` alert rules)."""

    list_display = ["routing_operation", "tag", "low", "high", "unit"]
    list_filter = ["routing_operation__routing__site"]
    search_fields = ["tag", "routing_operation__routing__item__code"]
    raw_id_fields = ["routing_operation"]


@admin.register(AlertRule)
class AlertRuleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "site", "equipment", "equipment_class", "tag", "condition", "severity", "active"]
    list_filter = ["site", "condition", "severity", "active"]
    search_fields = ["name", "tag"]
    readonly_fields = ["resolution_counts"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """Alerts change through their life only (the alert pages and the API)."""

    list_display = ["raised_at", "equipment", "rule", "severity", "status", "repeat_count"]
    list_filter = ["site", "severity", "status"]


@admin.register(DeadLetter)
class DeadLetterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Dead letters of machine-data ingestion: read them here or on the desk page; the upkeep
    deletes them with the raw telemetry's retention."""

    list_display = ["received_at", "topic", "reason", "detail"]
    list_filter = ["reason"]
    search_fields = ["topic", "detail"]
    date_hierarchy = "received_at"
    readonly_fields = ["topic", "reason", "detail", "received_at", "payload_text"]
    exclude = ["payload"]

    @admin.display(description=_("payload"))
    def payload_text(self, obj):
        return obj.payload_text


@admin.register(WorkInstruction)
class WorkInstructionAdmin(admin.ModelAdmin):
    """Work instructions are written per routing operation, also on an approved routing: they
    explain the step and change no quantity or time of it."""

    list_display = ["title", "routing_operation", "position", "attachment", "updated_at"]
    list_filter = ["routing_operation__routing__site"]
    search_fields = ["title", "text", "routing_operation__routing__item__code"]
    raw_id_fields = ["routing_operation"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
