"""Supervision pages, included in mes/urls.py (namespace "mes")."""

from django.urls import path

from mes.desk import views

urlpatterns = [
    path("dashboard/", views.board, name="dashboard"),
    path("dashboard/panels/", views.board_panels, name="dashboard-panels"),
    path("dashboard/tiles/<str:code>/", views.board_tile, name="dashboard-tile"),
    path("equipment/<str:code>/", views.equipment_page, name="equipment-page"),
    path("oee/", views.oee_page, name="oee"),
    path("kpis/", views.kpi_page, name="kpis"),
]
