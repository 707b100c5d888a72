from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Roles that oversee production (the shop-floor roles have their own screens).
OVERSIGHT = ("supervisor", "planner", "quality", "maintenance", "admin")


class MesConfig(AppConfig):
    name = "mes"
    verbose_name = _("Production")
    records = {"mes.workorder": "mes.selectors.plant.work_order_list"}
    nav = [
        {"label": _("Work orders"), "url": "mes:workorder-list", "perm": "mes.view_workorder"},
        {"label": _("Production dashboard"), "url": "mes:dashboard", "perm": "mes.view_equipment", "roles": OVERSIGHT},
        {"label": _("OEE"), "url": "mes:oee", "perm": "mes.view_equipment", "roles": OVERSIGHT},
        {"label": _("Production KPIs"), "url": "mes:kpis", "perm": "mes.view_equipment", "roles": OVERSIGHT},
        {"label": _("Alerts"), "url": "mes:alert-list", "perm": "mes.view_alert"},
        {"label": _("Alert rules"), "url": "mes:alertrule-list", "perm": "mes.view_alertrule"},
        {"label": _("Labour pools"), "url": "mes:labourpool-list", "perm": "mes.view_labourpool"},
        {"label": _("Setup families"), "url": "mes:itemsetupfamily-list", "perm": "mes.view_itemsetupfamily"},
        {"label": _("Changeovers"), "url": "mes:changeover-list", "perm": "mes.view_changeover"},
        {"label": _("Dead letters"), "url": "mes:deadletter-list", "perm": "mes.view_deadletter"},
        {
            "label": _("OPC UA endpoints"),
            "url": "mes:opcuaendpoint-list",
            "perm": "mes.change_opcuaendpoint",
            "roles": ("supervisor", "admin"),
        },
    ]
    landing = {"supervisor": "mes:dashboard"}

    def ready(self):
        from core import metrics
        from mes import metrics as ingest_metrics  # noqa: F401 - registers the ingestion figures of /metrics
        from mes.selectors.alerts import alert_metrics
        from mes.services import alerts  # noqa: F401  (registers the mes.telemetry handler)

        metrics.register(alert_metrics)
