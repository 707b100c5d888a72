from rest_framework.routers import DefaultRouter

from mes.api import views

router = DefaultRouter()
views.register(router)

app_name = "mes-api"
urlpatterns = router.urls
