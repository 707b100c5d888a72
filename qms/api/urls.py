from django.urls import path
from rest_framework.routers import DefaultRouter

from qms.api import views

router = DefaultRouter()
router.register("characteristics", views.CharacteristicViewSet, basename="characteristic")
router.register("plans", views.InspectionPlanViewSet, basename="inspectionplan")

app_name = "qms-api"
urlpatterns = [
    path("spc/analyze/", views.SpcAnalyzeView.as_view(), name="spc-analyze"),
    *router.urls,
]
