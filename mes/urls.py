"""Production desk pages, under /mes/ in the "mes" namespace."""

from django.urls import include, path, re_path

from mes import views

ACTION_PATTERN = "|".join(views.ACTIONS)

app_name = "mes"
urlpatterns = [
    *views.PAGES["workorder"].urls("work-orders"),
    re_path(
        rf"^work-orders/(?P<pk>\d+)/(?P<action>{ACTION_PATTERN})/$", views.work_order_action, name="workorder-action"
    ),
]

# The operator terminal (tablets at the machines).
urlpatterns += [path("floor/", include("mes.floor.urls"))]
