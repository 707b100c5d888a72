"""Production desk pages, under /mes/ in the "mes" namespace."""

from django.urls import include, path, re_path

from mes import alert_views, opcua_views, telemetry_views, views
from mes.desk import workforce

ACTION_PATTERN = "|".join(views.ACTIONS)

app_name = "mes"
urlpatterns = [
    *views.PAGES["workorder"].urls("work-orders"),
    path("", include("mes.desk.urls")),
    path("work-orders/release-selected/", views.work_order_release_selected, name="workorder-release-selected"),
    re_path(
        rf"^work-orders/(?P<pk>\d+)/(?P<action>{ACTION_PATTERN})/$", views.work_order_action, name="workorder-action"
    ),
    *alert_views.PAGES["alertrule"].urls("alert-rules"),
    path("alerts/", alert_views.alert_list, name="alert-list"),
    path("alerts/table/", alert_views.alert_table, name="alert-table"),
    path("alerts/<int:pk>/", alert_views.alert_detail, name="alert-detail"),
    path("alerts/<int:pk>/acknowledge/", alert_views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/resolve/", alert_views.alert_resolve, name="alert-resolve"),
    path("dead-letters/", telemetry_views.dead_letter_list, name="deadletter-list"),
    *opcua_views.PAGES["opcuaendpoint"].urls("opcua-endpoints"),
    path("opcua-endpoints/<int:pk>/test/", opcua_views.endpoint_test, name="opcuaendpoint-test"),
    *opcua_views.PAGES["opcuanode"].urls("opcua-nodes"),
    *workforce.PAGES["labourpool"].urls("labour-pools"),
    *workforce.PAGES["itemsetupfamily"].urls("setup-families"),
    *workforce.PAGES["changeover"].urls("changeovers"),
]

# The operator terminal (tablets at the machines).
urlpatterns += [path("floor/", include("mes.floor.urls"))]
