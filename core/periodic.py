"""Run the periodic jobs of `CELERY_BEAT_SCHEDULE` in this process, on their intervals.

On the embedded default there is no broker and no beat; `manage.py run_periodic` uses this so
the outbox sweep and the alert evaluations still happen. The schedule is the same one beat reads,
so the two ways of running cannot drift apart.
"""

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from celery.schedules import BaseSchedule, maybe_schedule
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass
class PeriodicJob:
    """One entry of the beat schedule with the time it last ran."""

    name: str
    task: str
    schedule: BaseSchedule
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    last_run_at: datetime | None = None

    def seconds_until_due(self, now: datetime) -> float:
        """0 when the job should run now, else how long until it should."""
        if self.last_run_at is None:
            return 0.0
        due, next_check = self.schedule.is_due(self.last_run_at)
        return 0.0 if due else max(float(next_check), 0.0)


def load_jobs(schedule: dict | None = None) -> list[PeriodicJob]:
    """The jobs declared in `CELERY_BEAT_SCHEDULE` (or `schedule`), checked to name real tasks."""
    schedule = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
    jobs = []
    for name, entry in schedule.items():
        import_string(entry["task"])  # fail at start, not at the first run, on a wrong task name
        jobs.append(
            PeriodicJob(
                name=name,
                task=entry["task"],
                schedule=maybe_schedule(entry["schedule"]),
                args=tuple(entry.get("args", ())),
                kwargs=dict(entry.get("kwargs", {})),
            )
        )
    return jobs


def run_job(job: PeriodicJob) -> None:
    """Run one job's task in this process now. A failing job is logged and retried next time."""
    task = import_string(job.task)
    job.last_run_at = timezone.now()
    result = task.apply(args=job.args, kwargs=job.kwargs, throw=False)
    if result.failed():
        logger.error("periodic job %s failed: %r\n%s", job.name, result.result, result.traceback)
    else:
        logger.info("periodic job %s done: %r", job.name, result.result)


def run_forever(jobs: list[PeriodicJob], *, stop: threading.Event, max_sleep: float = 5.0) -> None:
    """Run each job whenever it is due until `stop` is set."""
    while not stop.is_set():
        now = timezone.now()
        waits = []
        for job in jobs:
            wait = job.seconds_until_due(now)
            if wait <= 0:
                # A long-lived process: drop connections the database closed or that grew too old.
                close_old_connections()
                run_job(job)
                wait = job.seconds_until_due(timezone.now())
            waits.append(wait)
        stop.wait(min([max_sleep, *waits]))
