"""One "today" per site: the calendar date where the site is, whatever process asks.

Web requests, Celery workers and MQTT ingestion all run in UTC (or the server's zone); a plant's
day follows its own clock. Services take `today=` for tests and reruns and default to
`site_today(site)`, never to `timezone.localdate()` of the process.
"""

from datetime import date

from django.utils import timezone


def site_today(site) -> date:
    """Today's date in the site's time zone."""
    return timezone.localdate(timezone=site.tzinfo)
