from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MesConfig(AppConfig):
    name = "mes"
    verbose_name = _("Production")
    records = {"mes.workorder": "mes.selectors.plant.work_order_list"}
    nav = [
        {"label": _("Work orders"), "url": "mes:workorder-list", "perm": "mes.view_workorder"},
    ]
