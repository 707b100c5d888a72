"""The warehouse API (`/api/v1/wms/`). One layout for every resource family: its serializers in
`wms.api.serializers.<family>`, its viewsets in `wms.api.views.<family>`, and every FilterSet in
`wms.api.filters`. Reads go through `wms.selectors`, writes through `wms.services`."""

from rest_framework.routers import DefaultRouter

from wms.api.views import alerts, counting, kpis, locations, lots, picking, planning, putaway, receiving, stock

router = DefaultRouter()
router.register("warehouses", locations.WarehouseViewSet, basename="warehouse")
router.register("zones", locations.ZoneViewSet, basename="zone")
router.register("bins", locations.BinViewSet, basename="bin")
router.register("lots", lots.LotViewSet, basename="lot")
router.register("stock", stock.StockViewSet, basename="stock")
router.register("on-hand", stock.OnHandViewSet, basename="on-hand")
router.register("moves", stock.StockMoveViewSet, basename="move")
router.register("expected-receipts", receiving.ExpectedReceiptViewSet, basename="expected-receipt")
router.register("putaway-suggestions", putaway.PutawaySuggestionViewSet, basename="putaway-suggestion")
router.register("putaway", putaway.PutawayViewSet, basename="putaway")
router.register("pick-lists", picking.PickListViewSet, basename="pick-list")
router.register("count-tasks", counting.CountTaskViewSet, basename="count-task")
router.register("alerts", alerts.InventoryAlertViewSet, basename="inventory-alert")
router.register("kpis", kpis.KpiViewSet, basename="kpi")
router.register("stock-policies", planning.StockPolicyViewSet, basename="stock-policy")

app_name = "wms-api"
urlpatterns = router.urls
