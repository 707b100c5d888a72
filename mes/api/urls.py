from django.urls import path
from rest_framework.routers import DefaultRouter

from mes.api import alerts, opcua, supervision, views, workforce
from mes.api.telemetry import EquipmentTelemetryView

router = DefaultRouter()
views.register(router)
alerts.register(router)
opcua.register(router)
supervision.register(router)
workforce.register(router)

app_name = "mes-api"
urlpatterns = [
    path("equipment/<str:code>/telemetry/", EquipmentTelemetryView.as_view(), name="equipment-telemetry"),
    *router.urls,
]
