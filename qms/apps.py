from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality")
    landing = {"quality": "qms:dashboard"}
    nav: list = []
    nav += [
        {"label": _("Quality"), "url": "qms:dashboard", "perm": "qms.view_qualityhold"},
        {"label": _("Quality holds"), "url": "qms:hold-list", "perm": "qms.view_qualityhold"},
        {"label": _("SPC"), "url": "qms:spc-board", "perm": "qms.view_characteristic"},
        {"label": _("Inspections"), "url": "qms:inspection-list", "perm": "qms.view_inspectiontask"},
    ]
    tablet = [{"label": _("QC station"), "url": "qms:station", "roles": ["quality", "admin"]}]

    def ready(self):
        # The hold buttons on the lot, equipment and work order pages of the lower layers, and the
        # inspections due on the operator terminal.
        from mes.desk.views import EQUIPMENT_PANELS
        from mes.floor import banners
        from mes.views import PAGES as MES_PAGES
        from qms import events, tasks  # noqa: F401  (the quality subscribers and the periodic task)
        from qms.views.inspect import inspection_banners
        from wms.desk.views.stock import LOT_ACTIONS

        for hooks, template in (
            (LOT_ACTIONS, "qms/qhold/_lot_action.html"),
            (EQUIPMENT_PANELS, "qms/qhold/_equipment_panel.html"),
            (MES_PAGES["workorder"].detail_panels, "qms/qhold/_work_order_panel.html"),
        ):
            if template not in hooks:
                hooks.append(template)
        banners.register(inspection_banners)
