from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QmsConfig(AppConfig):
    name = "qms"
    verbose_name = _("Quality")
    nav: list = []

    def ready(self):
        from qms import events, tasks  # noqa: F401  (registers the subscribers and the periodic task)
