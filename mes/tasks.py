"""Celery entry points of mes: parse arguments, call a service."""

from celery import shared_task

from mes.services.telemetry_store import maintain_telemetry_store as maintain


@shared_task(ignore_result=True)
def maintain_telemetry_store() -> dict:
    """Create telemetry partitions ahead, drop the expired ones (hourly in the beat schedule)."""
    return maintain()
