from django.urls import path

app_name = "qms"
urlpatterns: list = []

from qms.views import spcview  # noqa: E402

urlpatterns += [
    path("spc/", spcview.spc_board, name="spc-board"),
    path("spc/<int:pk>/", spcview.spc_chart, name="spc-chart"),
]
