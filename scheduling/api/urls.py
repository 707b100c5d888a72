from rest_framework.routers import DefaultRouter

from scheduling.api import views

router = DefaultRouter()
router.register("versions", views.ScheduleVersionViewSet, basename="schedule-version")

app_name = "scheduling-api"
urlpatterns = router.urls
