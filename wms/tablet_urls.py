from django.urls import path

from wms import label_views, tablet_views

urlpatterns = [
    path("move/", tablet_views.move, name="tablet-move"),
    path("receive/", tablet_views.receive, name="tablet-receive"),
    path("receive/<int:pk>/", tablet_views.receive_receipt, name="tablet-receive-receipt"),
    path("receive/line/<int:pk>/", tablet_views.receive_line, name="tablet-receive-line"),
    path("receive/without-notice/", tablet_views.receive_line, name="tablet-receive-free"),
    path("receive/done/<int:pk>/", tablet_views.receive_done, name="tablet-receive-done"),
    path("putaway/", tablet_views.putaway, name="tablet-putaway"),
    path("putaway/stock/", tablet_views.putaway_stock, name="tablet-putaway-stock"),
    path("pick/", tablet_views.pick, name="tablet-pick"),
    path("pick/<int:pk>/", tablet_views.pick_list, name="tablet-pick-list"),
    path("count/", tablet_views.count, name="tablet-count"),
    path("count/<int:pk>/", tablet_views.count_task, name="tablet-count-task"),
    path("labels/lot/<int:pk>/", label_views.lot_label, name="lot-label"),
    path("labels/bin/<int:pk>/", label_views.bin_label, name="bin-label"),
    path("labels/bins/", label_views.bin_labels, name="bin-labels"),
]
