"""Celery entry points of quality: look up, call a service, nothing else."""

from celery import shared_task

from core.models import Site
from qms.services import inspections


@shared_task
def open_timed_inspections(site_code: str | None = None) -> dict:
    """Open the in-process inspections due by time (every T minutes) at every active site."""
    sites = Site.objects.filter(active=True).order_by("code")
    if site_code:
        sites = sites.filter(code=site_code)
    return {site.code: len(inspections.open_timed_inspections(site=site)) for site in sites}
