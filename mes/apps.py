from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MesConfig(AppConfig):
    name = "mes"
    verbose_name = _("Production")
    nav = [
        {"label": _("Work orders"), "url": "mes:workorder-list", "perm": "mes.view_workorder"},
        {"label": _("Dead letters"), "url": "mes:deadletter-list", "perm": "mes.view_deadletter"},
    ]

    def ready(self):
        from mes import metrics  # noqa: F401 - registers the ingestion figures of /metrics
