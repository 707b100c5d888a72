app_name = "wms"
urlpatterns: list = []
