from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality")
    nav: list = []
    nav.append({"label": _("SPC"), "url": "qms:spc-board", "perm": "qms.view_characteristic"})

    def ready(self):
        from qms import events  # noqa: F401  (registers the subscribers)
