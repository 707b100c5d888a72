from django.urls import path
from rest_framework.routers import DefaultRouter

from qms.api import inspect, views

router = DefaultRouter()
router.register("characteristics", views.CharacteristicViewSet, basename="characteristic")
router.register("plans", views.InspectionPlanViewSet, basename="inspectionplan")
router.register("inspection-tasks", inspect.InspectionTaskViewSet, basename="inspectiontask")

app_name = "qms-api"
urlpatterns = [
    path("spc/analyze/", views.SpcAnalyzeView.as_view(), name="spc-analyze"),
    *router.urls,
]
