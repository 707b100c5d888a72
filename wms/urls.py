from django.urls import include, path

app_name = "wms"
urlpatterns = [
    path("floor/", include("wms.tablet_urls")),
    path("", include("wms.desk_urls")),
]
