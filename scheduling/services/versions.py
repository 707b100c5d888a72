"""Schedule versions: a run is queued, solved by a worker, and the version then goes draft →
proposed → approved → released → superseded (SCHEDULE_STATES). A run never happens inside a web
request: it is a Celery task (a thread of the server on the embedded default).

Locks: the version row (a document header, core/locking.py), then the released version of the
site when one is superseded, then the operations the plan is written to (mes.services.planning).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.events import live_group, publish
from core.locking import lock_site_work
from core.models import Role, SignatureMeaning
from core.scoping import require_site_access
from core.services.signatures import sign
from core.states import StateMachine, Transition
from mes.services.planning import apply_plan
from scheduling.engine import (
    InfeasibleModel,
    ModelError,
    NoScheduleFound,
    Progress,
    evaluate,
    labour_and_changeovers,
    solve,
)
from scheduling.engine.calendars import merge_gaps, working_time
from scheduling.models import Objective, RunState, ScheduleAssignment, ScheduleVersion, VersionStatus
from scheduling.services.problem import build_problem, warm_start

logger = logging.getLogger(__name__)

CHANGE = "scheduling.change_scheduleversion"
APPROVE = "scheduling.approve_scheduleversion"
APPROVAL_KIND = "scheduling.schedule"
MAX_TIME_LIMIT = 600
MAX_HORIZON_DAYS = 90
PROGRESS_EVERY = 0.5  # seconds between progress pushes and saves

V = VersionStatus
SCHEDULE_STATES = StateMachine(
    {
        "propose": Transition(frozenset({V.DRAFT}), V.PROPOSED, CHANGE, label=gettext_lazy("proposed")),
        "withdraw": Transition(frozenset({V.PROPOSED}), V.DRAFT, CHANGE, label=gettext_lazy("withdrawn")),
        "approve": Transition(frozenset({V.PROPOSED}), V.APPROVED, APPROVE, label=gettext_lazy("approved")),
        "reject": Transition(frozenset({V.PROPOSED}), V.DRAFT, APPROVE, label=gettext_lazy("rejected")),
        "release": Transition(frozenset({V.APPROVED}), V.RELEASED, CHANGE, label=gettext_lazy("released")),
        "supersede": Transition(frozenset({V.RELEASED, V.APPROVED}), V.SUPERSEDED, label=gettext_lazy("superseded")),
    },
    refusal=gettext_noop("A schedule that is %(status)s cannot be %(action)s."),
)


def _payload(version: ScheduleVersion, **extra) -> dict:
    return {
        "version": version.pk,
        "number": version.number,
        "status": version.status,
        "run_state": version.run_state,
        "objective_value": version.objective_value,
        "bound": version.bound,
        **extra,
    }


def lock_version(version: ScheduleVersion) -> ScheduleVersion:
    return ScheduleVersion.objects.select_for_update(of=("self",)).select_related("site").get(pk=version.pk)


# --- runs ------------------------------------------------------------------------------------


def start_run(
    *,
    site,
    user,
    objective: str = Objective.TARDINESS_THEN_MAKESPAN,
    time_limit_seconds: int = 30,
    horizon_days: int = 14,
    based_on: ScheduleVersion | None = None,
    reason: str = "",
) -> ScheduleVersion:
    """Queue a run for `site` from now; the worker solves it. `based_on` reschedules from that
    version (its plan is the warm start, so little moves)."""
    require_site_access(user, site)
    if not user.has_perm("scheduling.add_scheduleversion"):
        raise PermissionDenied(_("Your role does not run the scheduler."))
    if objective not in Objective.values:
        raise ValidationFailed(_("Choose an objective."), field="objective")
    if not 1 <= int(time_limit_seconds) <= MAX_TIME_LIMIT:
        raise ValidationFailed(
            _("The time limit is between 1 and %(max)s seconds.") % {"max": MAX_TIME_LIMIT}, field="time_limit_seconds"
        )
    if not 1 <= int(horizon_days) <= MAX_HORIZON_DAYS:
        raise ValidationFailed(
            _("The horizon is between 1 and %(max)s days.") % {"max": MAX_HORIZON_DAYS}, field="horizon_days"
        )
    if based_on is not None and based_on.site_id != site.pk:
        raise ValidationFailed(_("Reschedule from a version of the same site."), field="based_on")
    with transaction.atomic():
        lock_site_work(site, "scheduling.numbering")  # the site's versions are numbered in turn
        number = (ScheduleVersion.objects.filter(site=site).aggregate(n=Max("number"))["n"] or 0) + 1
        version = ScheduleVersion(
            site=site,
            number=number,
            objective=objective,
            time_limit_seconds=int(time_limit_seconds),
            horizon_days=int(horizon_days),
            origin=timezone.now().replace(second=0, microsecond=0),
            based_on=based_on,
            reason=reason[:300],
            created_by=user,
        )
        version._history_user = user
        version.save()
        publish("scheduling.run.queued", _payload(version), site=site)
        transaction.on_commit(lambda: _dispatch(version.pk))
    return version


# The Celery task that runs a version: scheduling.tasks registers it when it is imported (the
# app's ready() does), so this module does not import the tasks that import it.
_run_task: dict[str, object] = {"task": None}


def set_run_task(task) -> None:
    _run_task["task"] = task


def _dispatch(version_id: int) -> None:
    task = _run_task["task"]
    if settings.EMBEDDED or task is None:  # no worker: a thread of this server, so no request waits on a solve
        threading.Thread(target=_run_in_thread, args=(version_id,), daemon=True).start()
    else:
        task.delay(version_id)


def _run_in_thread(version_id: int) -> None:
    try:
        run_version(version_id)
    finally:
        connection.close()


def _stop_key(version) -> str:
    """Names one version row of one database: a number the database hands out again (another
    installation on the same Redis, a rebuilt test database) never finds an old request."""
    return f"scheduling:stop:{settings.DATABASES['default']['NAME']}:{version.pk}:{version.created_at.timestamp()}"


def stop_run(*, version: ScheduleVersion, user) -> ScheduleVersion:
    """Ask a queued or running search to stop; it keeps the best schedule it has found."""
    require_site_access(user, version.site_id)
    if not user.has_perm(CHANGE):
        raise PermissionDenied()
    with transaction.atomic():
        version = lock_version(version)
        if not version.solving:
            raise InvalidTransition(_("This run has already ended."))
        cache.set(_stop_key(version), True, timeout=MAX_TIME_LIMIT * 2)
        publish("scheduling.run.stop_requested", _payload(version, by=user.username), site=version.site)
    return version


class _Reporter:
    """The search's progress: kept, saved and pushed to the planner's page at most twice a
    second. Called from the solver's threads, so it writes on its own short-lived connection."""

    def __init__(self, version: ScheduleVersion):
        self.version_id, self.site_code = version.pk, version.site.code
        self.points: list[dict] = []
        self.lock = threading.Lock()
        self.last = 0.0

    def __call__(self, progress: Progress) -> None:
        with self.lock:
            point = {
                "seconds": progress.seconds,
                "phase": progress.phase,
                "objective": progress.objective,
                "value": progress.value,
                "bound": progress.bound,
                "build_seconds": progress.build_seconds,
                "solve_seconds": progress.solve_seconds,
            }
            if self.points and point["value"] is None:
                point["value"] = self.points[-1]["value"]
            self.points.append(point)
            now = time.monotonic()
            if now - self.last < PROGRESS_EVERY and progress.phase != "done":
                return
            self.last = now
            points = list(self.points[-200:])
        self._push(point)
        if threading.current_thread() is not threading.main_thread():
            try:
                ScheduleVersion.objects.filter(pk=self.version_id).update(progress=points)
            finally:
                connection.close()

    def _push(self, point: dict) -> None:
        """Progress is a transient figure, not a domain event: it goes straight to the live
        group (a lost point is replaced by the next one); the run's outcome goes through the outbox."""
        from asgiref.sync import async_to_sync
        from channels.layers import get_channel_layer

        try:
            async_to_sync(get_channel_layer().group_send)(
                live_group(self.site_code, "scheduling"),
                {
                    "type": "live.event",
                    "event": "scheduling.run.progress",
                    "id": f"progress-{self.version_id}-{point['seconds']}",
                    "site": self.site_code,
                    "data": {"version": self.version_id, **point},
                },
            )
        except Exception:
            logger.warning("progress of schedule %s not pushed", self.version_id, exc_info=True)


def _late(problem, schedule, tz) -> list[dict]:
    """The work orders planned to finish after their due date, latest first (times shown in the
    site's time zone)."""
    ends: dict[str, int] = {}
    for name, assignment in schedule.assignments.items():
        job = problem.model.operation(name).job
        ends[job] = max(ends.get(job, 0), assignment.end)
    rows = []
    for job in problem.model.jobs:
        if job.due is not None and ends.get(job.name, 0) > job.due:
            due, end = problem.moment(job.due), problem.moment(ends[job.name])
            rows.append(
                {
                    "order": job.name,
                    "due": due.isoformat(),
                    "end": end.isoformat(),
                    "due_local": formats.date_format(timezone.localtime(due, tz), "SHORT_DATETIME_FORMAT"),
                    "end_local": formats.date_format(timezone.localtime(end, tz), "SHORT_DATETIME_FORMAT"),
                    "late_hours": round((ends[job.name] - job.due) / 60, 1),
                }
            )
    return sorted(rows, key=lambda r: -r["late_hours"])


def _kpis(problem, schedule, tz) -> dict:
    figures = evaluate(problem.model, schedule)
    horizon_end = max(schedule.makespan(), 1)
    busy: dict[str, int] = {}
    for assignment in schedule.assignments.values():
        gaps = merge_gaps(problem.model.machine(assignment.machine).unavailable)
        busy[assignment.machine] = busy.get(assignment.machine, 0) + working_time(
            gaps, assignment.start, assignment.end
        )
    utilisation = {}
    for name, equipment in problem.equipment.items():
        available = working_time(merge_gaps(problem.model.machine(name).unavailable), 0, horizon_end)
        utilisation[equipment.code] = round(100 * busy.get(name, 0) / available, 1) if available else 0.0
    used, changeover = labour_and_changeovers(problem.model, schedule)
    labour = {
        skill: {"capacity": use["capacity"], "peak": use["peak"], "hours": round(use["minutes"] / 60, 1)}
        for skill, use in used.items()
    }
    return {
        "makespan_minutes": figures["makespan"],
        "makespan_hours": round(figures["makespan"] / 60, 1),
        "weighted_tardiness_minutes": figures["weighted_tardiness"],
        "late_orders": figures["late_jobs"],
        "orders": len(problem.model.jobs),
        "operations": len(problem.operations),
        "utilisation": utilisation,
        "labour": labour,
        "changeover_minutes": changeover,
        "end": problem.moment(figures["makespan"]).isoformat(),
        "late": _late(problem, schedule, tz),
        "seconds": schedule.seconds,
        "build_seconds": schedule.build_seconds,
        "solve_seconds": schedule.solve_seconds,
    }


def run_version(version_id: int) -> ScheduleVersion | None:
    """Solve a queued version (the worker's entry point). Failures are kept on the version with
    a message a planner can act on; nothing is half-written."""
    with transaction.atomic():
        version = ScheduleVersion.objects.select_for_update().select_related("site").filter(pk=version_id).first()
        if version is None or version.run_state != RunState.QUEUED:
            return version
        version.run_state = RunState.RUNNING
        version.started_at = timezone.now()
        version.save(update_fields=["run_state", "started_at", "updated_at"])
    reporter = _Reporter(version)
    stop_key = _stop_key(version)
    try:
        problem = build_problem(site=version.site, origin=version.origin, horizon_days=version.horizon_days)
        if not problem.operations:
            raise ModelError([_("There are no open operations of released work orders to schedule.")])
        start = None
        if version.based_on_id:
            start = warm_start(problem, ScheduleAssignment.objects.filter(version_id=version.based_on_id))
        schedule = solve(
            problem.model,
            objectives=version.objectives,
            time_limit=version.time_limit_seconds,
            workers=settings.SCHEDULING_WORKERS,
            warm_start=start,
            progress=reporter,
            should_stop=lambda: bool(cache.get(stop_key)),
        )
    except (ModelError, InfeasibleModel, NoScheduleFound) as error:
        reasons = getattr(error, "problems", None) or getattr(error, "reasons", None) or [str(error)]
        return _finish(version_id, reporter, error="\n".join(str(r) for r in reasons))
    except Exception as error:
        logger.exception("schedule %s failed", version_id)
        return _finish(version_id, reporter, error=_("The run failed: %(error)s") % {"error": error})
    return _finish(version_id, reporter, problem=problem, schedule=schedule)


def _finish(version_id, reporter, *, problem=None, schedule=None, error: str = "") -> ScheduleVersion:
    with transaction.atomic():
        version = ScheduleVersion.objects.select_for_update().select_related("site").get(pk=version_id)
        stopped = bool(cache.get(_stop_key(version)))
        cache.delete(_stop_key(version))
        version.finished_at = timezone.now()
        version.progress = reporter.points[-200:]
        if schedule is None:
            version.run_state = RunState.FAILED
            version.error = error
        else:
            version.run_state = RunState.STOPPED if stopped else RunState.DONE
            version.solver_status = schedule.status
            version.objective_value = schedule.objective
            version.bound = schedule.bound
            # The engine's own warnings name jobs and minutes; late orders are listed in the figures.
            version.warnings = [*problem.warnings, *(w for w in schedule.warnings if not w.startswith("job "))]
            version.kpis = _kpis(problem, schedule, version.site.tzinfo)
            jobs = {job.name: job for job in problem.model.jobs}
            ends: dict[str, int] = {}
            for name, assignment in schedule.assignments.items():
                job = problem.model.operation(name).job
                ends[job] = max(ends.get(job, 0), assignment.end)
            rows, ranks = [], {}
            for name, a in sorted(schedule.assignments.items(), key=lambda kv: (kv[1].machine, kv[1].start)):
                operation = problem.operations[name]
                ranks[a.machine] = ranks.get(a.machine, 0) + 1
                job = jobs[problem.model.operation(name).job]
                rows.append(
                    ScheduleAssignment(
                        version=version,
                        operation=operation,
                        equipment=problem.equipment[a.machine],
                        start=problem.moment(a.start),
                        end=problem.moment(max(a.end, a.start + 1)),
                        rank=ranks[a.machine],
                        late=job.due is not None and ends[job.name] > job.due,
                        fixed=problem.model.operation(name).fixed is not None,
                    )
                )
            ScheduleAssignment.objects.bulk_create(rows, batch_size=1000)
        version.save()
        publish(
            "scheduling.run.finished",
            _payload(version, error=version.error, kpis=version.kpis),
            site=version.site,
        )
    return version


# --- the version's life ----------------------------------------------------------------------


def propose_version(*, version: ScheduleVersion, user) -> ScheduleVersion:
    """Put a solved draft up for approval (the approvals inbox asks another planner or a
    supervisor)."""
    from core.services.approvals import request_approval

    require_site_access(user, version.site_id)
    with transaction.atomic():
        version = lock_version(version)
        SCHEDULE_STATES.check(version, "propose", user)
        if version.run_state not in (RunState.DONE, RunState.STOPPED):
            raise InvalidTransition(_("Only a schedule whose run has ended with a plan can be proposed."))
        SCHEDULE_STATES.apply(version, "propose", user, also={"proposed_by": user})
        request_approval(kind=APPROVAL_KIND, record=version, requested_by=user)
        publish("scheduling.version.proposed", _payload(version, by=user.username), site=version.site)
    return version


def approve_version(*, version: ScheduleVersion, user, password: str, reason: str = "") -> ScheduleVersion:
    """Approve a proposed schedule with an e-signature; someone other than who proposed it."""
    from core.models import ApprovalStatus
    from core.services.approvals import close_requests_for

    require_site_access(user, version.site_id)
    with transaction.atomic():
        version = lock_version(version)
        SCHEDULE_STATES.check(version, "approve", user)
        if version.proposed_by_id == user.pk:
            raise PermissionDenied(_("Someone other than who proposed it must approve it."), code="four_eyes")
        SCHEDULE_STATES.apply(version, "approve", user, also={"approved_by": user, "approved_at": timezone.now()})
        sign(user=user, password=password, meaning=SignatureMeaning.APPROVED, record=version, reason=reason)
        close_requests_for(record=version, status=ApprovalStatus.APPROVED, user=user, comment=reason)
        publish("scheduling.version.approved", _payload(version, by=user.username), site=version.site)
    return version


def reject_version(*, version: ScheduleVersion, user, password: str, reason: str) -> ScheduleVersion:
    """Send a proposed schedule back to draft, signed, saying why."""
    from core.models import ApprovalStatus
    from core.services.approvals import close_requests_for

    require_site_access(user, version.site_id)
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why you reject it."), field="reason")
    with transaction.atomic():
        version = lock_version(version)
        SCHEDULE_STATES.check(version, "reject", user)
        if version.proposed_by_id == user.pk:
            raise PermissionDenied(_("Someone other than who proposed it must decide it."), code="four_eyes")
        SCHEDULE_STATES.apply(version, "reject", user)
        sign(user=user, password=password, meaning=SignatureMeaning.REJECTED, record=version, reason=reason)
        close_requests_for(record=version, status=ApprovalStatus.REJECTED, user=user, comment=reason)
        publish("scheduling.version.rejected", _payload(version, by=user.username, reason=reason), site=version.site)
    return version


def release_version(*, version: ScheduleVersion, user) -> ScheduleVersion:
    """Make an approved schedule the one the dispatch lists follow; the one released before is
    superseded. Operations finished since the run keep their record; only open ones are planned."""
    require_site_access(user, version.site_id)
    with transaction.atomic():
        version = lock_version(version)
        SCHEDULE_STATES.check(version, "release", user)
        previous = (
            ScheduleVersion.objects.select_for_update(of=("self",))
            .filter(site=version.site, status=VersionStatus.RELEASED)
            .first()
        )
        if previous is not None:
            SCHEDULE_STATES.apply(previous, "supersede", None)
            publish("scheduling.version.superseded", _payload(previous), site=previous.site)
        SCHEDULE_STATES.apply(version, "release", user, also={"released_by": user, "released_at": timezone.now()})
        rows = list(version.assignments.values_list("operation_id", "equipment_id", "start", "end"))
        planned = apply_plan(site=version.site, rows=rows, user=user)
        publish("scheduling.version.released", _payload(version, by=user.username, planned=planned), site=version.site)
    return version


def reschedule(
    *, version: ScheduleVersion, user, reason: str, time_limit_seconds: int | None = None
) -> ScheduleVersion:
    """A new run from now, starting from `version`'s plan (after a breakdown, a rush order or a
    late delivery): running operations stay where they are, done ones drop out."""
    if not (reason or "").strip():
        raise ValidationFailed(_("Say what changed."), field="reason")
    return start_run(
        site=version.site,
        user=user,
        objective=version.objective,
        time_limit_seconds=time_limit_seconds or version.time_limit_seconds,
        horizon_days=version.horizon_days,
        based_on=version,
        reason=reason,
    )


def approval_roles() -> tuple[str, ...]:
    return (Role.PLANNER, Role.SUPERVISOR, Role.ADMIN)
