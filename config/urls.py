from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import health

api_v1 = [
    path("core/", include("core.api.urls")),
    path("wms/", include("wms.api.urls")),
    path("mes/", include("mes.api.urls")),
    path("qms/", include("qms.api.urls")),
    path("scheduling/", include("scheduling.api.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("wms/", include("wms.urls")),
    path("mes/", include("mes.urls")),
    path("qms/", include("qms.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("core/", include("core.master_data_urls")),
    path("", include("core.urls")),
]

# The database refusing or down answers 503 (JSON for the API, a page for people), never 500.
handler500 = "core.middleware.server_error"
