from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    name = "scheduling"
    verbose_name = _("Scheduling")
    landing = {"planner": "scheduling:version-list"}
    nav = [
        {"label": _("Schedules"), "url": "scheduling:version-list", "perm": "scheduling.view_scheduleversion"},
    ]

    def ready(self):
        from scheduling import approvals, tasks  # noqa: F401  (tasks: registers the run task)

        approvals.register_kinds()
