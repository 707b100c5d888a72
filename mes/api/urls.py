from rest_framework.routers import DefaultRouter

from mes.api import supervision, views

router = DefaultRouter()
views.register(router)
supervision.register(router)

app_name = "mes-api"
urlpatterns = router.urls
