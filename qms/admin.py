"""Django admin for quality master data: a back office for administrators."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from qms.models import Characteristic, InspectionPlan


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
