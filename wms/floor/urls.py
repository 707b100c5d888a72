"""The shop-floor screens (tablets, handheld scanners) and printable labels, under /wms/floor/."""

from django.urls import path

from wms.floor.views import counting, labels, moves, picking, putaway, receiving

urlpatterns = [
    path("move/", moves.move, name="tablet-move"),
    path("receive/", receiving.receive, name="tablet-receive"),
    path("receive/<int:pk>/", receiving.receive_receipt, name="tablet-receive-receipt"),
    path("receive/line/<int:pk>/", receiving.receive_line, name="tablet-receive-line"),
    path("receive/without-notice/", receiving.receive_line, name="tablet-receive-free"),
    path("receive/done/<int:pk>/", receiving.receive_done, name="tablet-receive-done"),
    path("putaway/", putaway.putaway, name="tablet-putaway"),
    path("putaway/stock/", putaway.putaway_stock, name="tablet-putaway-stock"),
    path("pick/", picking.pick, name="tablet-pick"),
    path("pick/<int:pk>/", picking.pick_list, name="tablet-pick-list"),
    path("count/", counting.count, name="tablet-count"),
    path("count/<int:pk>/", counting.count_task, name="tablet-count-task"),
    path("labels/lot/<int:pk>/", labels.lot_label, name="lot-label"),
    path("labels/bin/<int:pk>/", labels.bin_label, name="bin-label"),
    path("labels/bins/", labels.bin_labels, name="bin-labels"),
]
