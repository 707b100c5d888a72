"""Django admin for quality master data: a back office for administrators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qms.models import Characteristic, ControlLimits, InspectionPlan, InspectionTask, QualityHold, SpcStatus


@admin.register(Characteristic)
class CharacteristicAdmin(SimpleHistoryAdmin):
    list_display = ["item", "stage", "code", "name", "kind", "chart", "lsl", "usl", "unit", "active"]
    list_filter = ["stage", "kind", "chart", "active"]
    search_fields = ["code", "name", "item__code"]
    autocomplete_fields = ["item"]


@admin.register(InspectionPlan)
class InspectionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "item", "stage", "sampling", "sample_size", "aql", "inspection_level", "active"]
    list_filter = ["stage", "sampling", "active"]
    search_fields = ["code", "name", "item__code"]
    autocomplete_fields = ["item"]
    filter_horizontal = ["characteristics"]


@admin.register(QualityHold)
class QualityHoldAdmin(SimpleHistoryAdmin):
    """Read only: holds are placed and released through the quality pages and API (signed)."""

    list_display = ["number", "site", "status", "reason_code", "lot", "equipment", "work_order", "placed_at"]
    list_filter = ["status", "reason_code", "site"]
    search_fields = ["number", "reason", "lot__code", "equipment__code", "work_order__number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InspectionTask)
class InspectionTaskAdmin(SimpleHistoryAdmin):
    """Read only: tasks change through the inspection services (results, signed decisions)."""

    list_display = ["number", "site", "stage", "item", "lot", "equipment", "sample_size", "status", "decided_by"]
    list_filter = ["stage", "status", "site"]
    search_fields = ["number", "item__code", "lot__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ControlLimits)
class ControlLimitsAdmin(SimpleHistoryAdmin):
    list_display = ["characteristic", "site", "chart", "lcl", "center", "ucl", "set_by", "set_at", "active"]
    list_filter = ["active", "chart", "site"]
    readonly_fields = [field.name for field in ControlLimits._meta.fields]


@admin.register(SpcStatus)
class SpcStatusAdmin(admin.ModelAdmin):
    list_display = ["characteristic", "site", "colour", "cpk", "subgroups", "evaluated_subgroup", "updated_at"]
    list_filter = ["colour", "site"]
    readonly_fields = [field.name for field in SpcStatus._meta.fields]
