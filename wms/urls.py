from django.urls import include, path

app_name = "wms"
urlpatterns = [
    path("floor/", include("wms.floor.urls")),
    path("", include("wms.desk.urls")),
]
