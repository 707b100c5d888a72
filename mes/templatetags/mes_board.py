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


@register.filter
def plain(value):
    """A quantity without trailing zeros: Decimal("4.000000") → "4" (cheaper than floatformat
    on a page of 200 tiles)."""
    if value is None:
        return ""
    return f"{value.normalize():f}"


@register.inclusion_tag("mes/board/_machine_data.html", takes_context=True)
def machine_data_panel(context, machine):
    """Live values, trends with alert markers and the alerts of `machine` (equipment page)."""
    from mes.selectors.machine_page import machine_data

    return {"machine": machine, "request": context.get("request"), **machine_data(machine)}
