"""The warehouse desk pages, under /wms/ in the "wms" namespace."""

from django.urls import path

from wms import views

urlpatterns = [
    path("stock/", views.stock, name="stock"),
    path("stock/items/<str:code>/", views.item_stock, name="item-stock"),
    path("lots/", views.lot_list_view, name="lot-list"),
    path("lots/<int:pk>/", views.lot_detail, name="lot-detail"),
    path("moves/", views.move_list_view, name="move-list"),
    path("moves/new/", views.move_create, name="move-create"),
    path("bins/", views.bin_list_view, name="bin-list"),
    path("bins/<int:pk>/", views.bin_detail, name="bin-detail"),
]
