"""The warehouse desk pages, under /wms/ in the "wms" namespace."""

from django.urls import path

from core.object_views import ObjectCreateView, ObjectEditView
from wms.desk.views import adjustments, control, dashboard, documents, history, moves, picking, receipts, setup, stock

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/alerts/", dashboard.dashboard_alerts, name="dashboard-alerts"),
    path("dashboard/moves/", dashboard.dashboard_moves, name="dashboard-moves"),
    path("stock/", stock.stock, name="stock"),
    path("stock/items/<str:code>/", stock.item_stock, name="item-stock"),
    path("lots/", stock.lot_list_view, name="lot-list"),
    path("lots/<int:pk>/", stock.lot_detail, name="lot-detail"),
    path("moves/", moves.move_list_view, name="move-list"),
    path("moves/new/", moves.move_create, name="move-create"),
    path("receipts/", receipts.receipt_list, name="receipt-list"),
    path("receipts/new/", receipts.receipt_create, name="receipt-create"),
    path("receipts/<int:pk>/", receipts.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/cancel/", receipts.receipt_action, {"action": "cancel"}, name="receipt-cancel"),
    path("receipts/<int:pk>/close/", receipts.receipt_action, {"action": "close"}, name="receipt-close"),
    path("pick-lists/", picking.picklist_list, name="picklist-list"),
    path("pick-lists/new/", picking.picklist_create, name="picklist-create"),
    path("pick-lists/<int:pk>/", picking.picklist_detail, name="picklist-detail"),
    path("pick-lists/<int:pk>/cancel/", picking.picklist_cancel, name="picklist-cancel"),
    path("counts/", control.count_list, name="count-list"),
    path("counts/generate/", control.count_generate, name="count-generate"),
    path("counts/<int:pk>/", control.count_detail, name="count-detail"),
    path("counts/<int:pk>/approve/", control.count_approve, name="count-approve"),
    path("alerts/", control.alert_list, name="alert-list"),
    path("alerts/evaluate/", control.alert_evaluate, name="alert-evaluate"),
    path("kpis/", dashboard.kpi_page, name="kpis"),
    path("kpis/apply-abc/", dashboard.kpi_apply_abc, name="kpis-apply-abc"),
    path("bins/", stock.bin_list_view, name="bin-list"),
    path("bins/<int:pk>/", stock.bin_detail, name="bin-detail"),
    path("bins/new/", ObjectCreateView.as_view(page=setup.BIN_PAGE), name="bin-create"),
    path("bins/<int:pk>/edit/", ObjectEditView.as_view(page=setup.BIN_PAGE), name="bin-edit"),
    path("bins/generate/", setup.bin_generate, name="bin-generate"),
    path("adjustments/", adjustments.adjustment_list_view, name="adjustment-list"),
    path("adjustments/new/", adjustments.adjustment_create, name="adjustment-create"),
    path("stock/as-of/", history.stock_as_of, name="stock-as-of"),
    path("stock/ageing/", history.stock_ageing, name="stock-ageing"),
    path("receipts/<int:pk>/slip/", documents.receipt_slip, name="receipt-slip"),
    path("pick-lists/<int:pk>/slip/", documents.pick_slip, name="picklist-slip"),
    *setup.WAREHOUSE_PAGE.urls("setup/warehouses"),
    *setup.ZONE_PAGE.urls("setup/zones"),
    *setup.REORDER_RULE_PAGE.urls("setup/reorder-rules"),
]
