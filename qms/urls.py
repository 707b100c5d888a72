from django.urls import path

from qms.views import dashboard, holds, spcview

app_name = "qms"
urlpatterns: list = []
urlpatterns += [
    path("", dashboard.dashboard, name="dashboard"),
    path("holds/", holds.hold_list_page, name="hold-list"),
    path("holds/new/", holds.hold_create, name="hold-create"),
    path("holds/<int:pk>/", holds.hold_detail, name="hold-detail"),
    path("spc/", spcview.spc_board, name="spc-board"),
    path("spc/<int:pk>/", spcview.spc_chart, name="spc-chart"),
]
