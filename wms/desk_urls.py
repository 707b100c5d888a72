"""The warehouse desk pages, under /wms/ in the "wms" namespace."""

from django.urls import path

from wms import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("dashboard/alerts/", views.dashboard_alerts, name="dashboard-alerts"),
    path("dashboard/moves/", views.dashboard_moves, name="dashboard-moves"),
    path("stock/", views.stock, name="stock"),
    path("stock/items/<str:code>/", views.item_stock, name="item-stock"),
    path("lots/", views.lot_list_view, name="lot-list"),
    path("lots/<int:pk>/", views.lot_detail, name="lot-detail"),
    path("moves/", views.move_list_view, name="move-list"),
    path("moves/new/", views.move_create, name="move-create"),
    path("receipts/", views.receipt_list, name="receipt-list"),
    path("receipts/new/", views.receipt_create, name="receipt-create"),
    path("receipts/<int:pk>/", views.receipt_detail, name="receipt-detail"),
    path("receipts/<int:pk>/cancel/", views.receipt_action, {"action": "cancel"}, name="receipt-cancel"),
    path("receipts/<int:pk>/close/", views.receipt_action, {"action": "close"}, name="receipt-close"),
    path("pick-lists/", views.picklist_list, name="picklist-list"),
    path("pick-lists/new/", views.picklist_create, name="picklist-create"),
    path("pick-lists/<int:pk>/", views.picklist_detail, name="picklist-detail"),
    path("pick-lists/<int:pk>/cancel/", views.picklist_cancel, name="picklist-cancel"),
    path("counts/", views.count_list, name="count-list"),
    path("counts/generate/", views.count_generate, name="count-generate"),
    path("counts/<int:pk>/", views.count_detail, name="count-detail"),
    path("counts/<int:pk>/approve/", views.count_approve, name="count-approve"),
    path("alerts/", views.alert_list, name="alert-list"),
    path("alerts/evaluate/", views.alert_evaluate, name="alert-evaluate"),
    path("kpis/", views.kpi_page, name="kpis"),
    path("kpis/apply-abc/", views.kpi_apply_abc, name="kpis-apply-abc"),
    path("bins/", views.bin_list_view, name="bin-list"),
    path("bins/<int:pk>/", views.bin_detail, name="bin-detail"),
]
