from django.urls import path
from rest_framework.routers import DefaultRouter

from qms.api import holds, inspect, spcview, views

router = DefaultRouter()
router.register("characteristics", views.CharacteristicViewSet, basename="characteristic")
router.register("plans", views.InspectionPlanViewSet, basename="inspectionplan")
router.register("holds", holds.QualityHoldViewSet, basename="qualityhold")
router.register("inspection-tasks", inspect.InspectionTaskViewSet, basename="inspectiontask")

app_name = "qms-api"
urlpatterns = [
    path("spc/analyze/", views.SpcAnalyzeView.as_view(), name="spc-analyze"),
    path("spc/status/", spcview.SpcStatusView.as_view(), name="spc-status"),
    path("spc/<int:pk>/", spcview.SpcChartView.as_view(), name="spc-chart"),
    path("spc/<int:pk>/limits/", spcview.SpcLimitsView.as_view(), name="spc-limits"),
    *router.urls,
]
