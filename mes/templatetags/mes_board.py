"""Filters of the supervision pages."""

from django import template

register = template.Library()


@register.filter
def percent(value, digits=0):
    """0.8333 → "83 %"; None (nothing to measure) → "–"."""
    if value is None:
        return "–"
    return f"{float(value) * 100:.{int(digits)}f} %"


@register.filter
def hours(seconds, digits=1):
    """Seconds as hours: 5400 → "1.5 h"."""
    if seconds is None:
        return "–"
    return f"{float(seconds) / 3600:.{int(digits)}f} h"
