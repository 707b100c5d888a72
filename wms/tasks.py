"""Celery entry points of the warehouse: look up, call a service, nothing else."""

from celery import shared_task

from core.models import Site
from wms.services import alerts, counting


@shared_task
def evaluate_inventory_alerts(site_code: str | None = None) -> dict:
    """Raise and resolve inventory alerts at every active site (or one)."""
    sites = Site.objects.filter(active=True).order_by("code")
    if site_code:
        sites = sites.filter(code=site_code)
    return {site.code: alerts.evaluate_alerts(site=site) for site in sites}


@shared_task
def generate_count_tasks(site_code: str | None = None) -> dict:
    """Create today's cycle-count tasks at every active site (or one). Idempotent."""
    sites = Site.objects.filter(active=True).order_by("code")
    if site_code:
        sites = sites.filter(code=site_code)
    return {site.code: len(counting.generate_count_tasks(site=site)) for site in sites}
