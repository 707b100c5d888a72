from django.urls import path

from qms.views import inspect

app_name = "qms"
urlpatterns: list = []
urlpatterns += [
    path("station/", inspect.station, name="station"),
    path("station/<int:pk>/", inspect.station_task, name="station-task"),
    path("station/<int:pk>/decide/", inspect.station_decide, name="station-decide"),
    path("inspections/", inspect.task_desk_list, name="inspection-list"),
]
