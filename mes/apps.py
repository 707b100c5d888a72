from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Roles that oversee production (the shop-floor roles have their own screens).
OVERSIGHT = ("supervisor", "planner", "quality", "maintenance", "admin")


class MesConfig(AppConfig):
    name = "mes"
    verbose_name = _("Production")
    nav = [
        {"label": _("Work orders"), "url": "mes:workorder-list", "perm": "mes.view_workorder"},
        {"label": _("Production dashboard"), "url": "mes:dashboard", "perm": "mes.view_equipment", "roles": OVERSIGHT},
        {"label": _("OEE"), "url": "mes:oee", "perm": "mes.view_equipment", "roles": OVERSIGHT},
        {"label": _("Production KPIs"), "url": "mes:kpis", "perm": "mes.view_equipment", "roles": OVERSIGHT},
    ]
    landing = {"supervisor": "mes:dashboard"}
