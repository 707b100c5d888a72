"""Celery entry points of production: call a service, nothing else."""

from celery import shared_task

from mes.services import alerts
from mes.services.telemetry_store import maintain_telemetry_store as maintain


@shared_task(acks_late=True, ignore_result=True)
def sweep_alerts() -> dict:
    """Periodic: states held too long, tags without data, alerts nobody acknowledged in time."""
    return alerts.sweep_alerts()


@shared_task(ignore_result=True)
def maintain_telemetry_store() -> dict:
    """Create telemetry partitions ahead, drop the expired ones (hourly in the beat schedule)."""
    return maintain()
