"""The scheduler's kind of approval, declared for the approvals inbox (core.approvals): a
proposed schedule waits for another planner or a supervisor, signed."""

import hashlib
from datetime import timedelta

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.approvals import ApprovalKind, Figure, register
from core.models import Role

SCHEDULE = "scheduling.schedule"


def _minutes(value) -> str:
    if value is None:
        return "—"
    hours, minutes = divmod(int(value), 60)
    return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}


def _figures(version) -> list[Figure]:
    kpis = version.kpis or {}
    return [
        Figure(_("Site"), version.site.code),
        Figure(_("Orders"), str(kpis.get("orders", "—"))),
        Figure(_("Late orders"), str(kpis.get("late_orders", "—")), emphasis=bool(kpis.get("late_orders"))),
        Figure(_("Makespan"), _minutes(kpis.get("makespan_minutes"))),
        Figure(_("Weighted lateness"), _minutes(kpis.get("weighted_tardiness_minutes"))),
    ]


def _fingerprint(version) -> str:
    state = f"{version.status}|{version.run_state}|{version.objective_value}|{version.finished_at}"
    return hashlib.sha256(state.encode()).hexdigest()


def _approve(*, record, user, password, comment):
    from scheduling.services.versions import approve_version

    return approve_version(version=record, user=user, password=password, reason=comment)


def _reject(*, record, user, password, comment):
    from scheduling.services.versions import reject_version

    return reject_version(version=record, user=user, password=password, reason=comment)


def register_kinds() -> None:
    from scheduling.models import ScheduleVersion

    register(
        ApprovalKind(
            name=SCHEDULE,
            label=gettext_lazy("Production schedule"),
            model=ScheduleVersion,
            roles=(Role.PLANNER, Role.SUPERVISOR, Role.ADMIN),
            title=lambda v: _("Schedule %(number)s of %(site)s") % {"number": v.number, "site": v.site.code},
            figures=_figures,
            fingerprint=_fingerprint,
            approve=_approve,
            reject=_reject,
            url=lambda v: reverse("scheduling:version-detail", args=[v.pk]),
            escalate_after=timedelta(hours=4),
            related=("site",),
        )
    )
