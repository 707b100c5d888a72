from rest_framework.routers import DefaultRouter

from mes.api import alerts, supervision, views

router = DefaultRouter()
views.register(router)
alerts.register(router)
supervision.register(router)

app_name = "mes-api"
urlpatterns = router.urls
