from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MesConfig(AppConfig):
    name = "mes"
    verbose_name = _("Production")
    nav = [
        {"label": _("Work orders"), "url": "mes:workorder-list", "perm": "mes.view_workorder"},
        {"label": _("Alerts"), "url": "mes:alert-list", "perm": "mes.view_alert"},
        {"label": _("Alert rules"), "url": "mes:alertrule-list", "perm": "mes.view_alertrule"},
    ]

    def ready(self):
        from core import metrics
        from mes.selectors.alerts import alert_metrics
        from mes.services import alerts  # noqa: F401  (registers the mes.telemetry handler)

        metrics.register(alert_metrics)
