"""The operator terminal, under /mes/floor/ in the "mes" namespace."""

from django.urls import path, re_path

from mes.floor import views

ACTION_PATTERN = "|".join(views.ACTIONS)

urlpatterns = [
    path("", views.terminal_home, name="terminal"),
    path("sign-in/", views.pin_sign_in, name="terminal-sign-in"),
    path("sw.js", views.service_worker, name="terminal-sw"),
    path("manifest.webmanifest", views.manifest, name="terminal-manifest"),
    path("instructions/<int:pk>/file/", views.instruction_file, name="terminal-instruction-file"),
    path("<str:code>/", views.dispatch, name="terminal-dispatch"),
    path("<str:code>/<int:pk>/", views.job, name="terminal-job"),
    path("<str:code>/<int:pk>/pause/", views.pause, name="terminal-pause"),
    path("<str:code>/<int:pk>/report/", views.report, name="terminal-report"),
    re_path(rf"^(?P<code>[^/]+)/(?P<pk>\d+)/(?P<action>{ACTION_PATTERN})/$", views.act, name="terminal-act"),
]
