from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality")
    nav: list = []
    nav += [{"label": _("Inspections"), "url": "qms:inspection-list", "perm": "qms.view_inspectiontask"}]
    tablet = [{"label": _("QC station"), "url": "qms:station", "roles": ["quality", "admin"]}]

    def ready(self):
        from mes.floor import banners
        from qms import events, tasks  # noqa: F401  (registers the subscribers and the periodic task)
        from qms.views.inspect import inspection_banners

        banners.register(inspection_banners)
