"""Celery entry points of production: call a service, nothing else."""

from celery import shared_task

from mes.services import alerts


@shared_task(acks_late=True, ignore_result=True)
def sweep_alerts() -> dict:
    """Periodic: states held too long, tags without data, alerts nobody acknowledged in time."""
    return alerts.sweep_alerts()
