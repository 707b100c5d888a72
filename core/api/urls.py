from rest_framework.routers import DefaultRouter

from core.api import approval_views, note_views, views

router = DefaultRouter()
router.register("companies", views.CompanyViewSet, basename="company")
router.register("sites", views.SiteViewSet, basename="site")
router.register("currencies", views.CurrencyViewSet, basename="currency")
router.register("exchange-rates", views.ExchangeRateViewSet, basename="exchangerate")
router.register("units", views.UnitViewSet, basename="unit")
router.register("items", views.ItemViewSet, basename="item")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("users", views.UserViewSet, basename="user")
router.register("webhooks", views.WebhookViewSet, basename="webhook")
router.register("approvals", approval_views.ApprovalRequestViewSet, basename="approval")
router.register("comments", note_views.CommentViewSet, basename="comment")
router.register("saved-filters", note_views.SavedFilterViewSet, basename="saved-filter")

app_name = "core-api"
urlpatterns = router.urls
