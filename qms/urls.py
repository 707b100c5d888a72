from django.urls import path

from qms.views import dashboard, holds, inspect, spcview

app_name = "qms"
urlpatterns: list = []
urlpatterns += [
    path("", dashboard.dashboard, name="dashboard"),
    path("holds/", holds.hold_list_page, name="hold-list"),
    path("holds/new/", holds.hold_create, name="hold-create"),
    path("holds/<int:pk>/", holds.hold_detail, name="hold-detail"),
    path("spc/", spcview.spc_board, name="spc-board"),
    path("spc/<int:pk>/", spcview.spc_chart, name="spc-chart"),
    path("station/", inspect.station, name="station"),
    path("station/<int:pk>/", inspect.station_task, name="station-task"),
    path("station/<int:pk>/decide/", inspect.station_decide, name="station-decide"),
    path("inspections/", inspect.task_desk_list, name="inspection-list"),
]
