"""Celery entry points of the scheduler: look up, call a service, nothing else."""

from celery import shared_task

from scheduling.services.versions import run_version, set_run_task


@shared_task(acks_late=True)
def run_schedule(version_id: int) -> str | None:
    """Solve a queued schedule version (a version already run is left alone)."""
    version = run_version(version_id)
    return version.run_state if version is not None else None


set_run_task(run_schedule)
