from rest_framework.routers import DefaultRouter

from wms.api import control, inbound, views

router = DefaultRouter()
views.register(router)  # warehouses, zones, bins, lots, stock, moves
inbound.register(router)  # expected receipts, putaway, pick lists
control.register(router)  # counts, alerts, KPIs

app_name = "wms-api"
urlpatterns = router.urls
