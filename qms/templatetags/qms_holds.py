"""`{% active_quality_hold record as hold %}`: the active hold of a lot, equipment or work order,
for the hold buttons quality adds to those pages."""

from django import template

from qms.selectors.holds import active_hold

register = template.Library()


@register.simple_tag
def active_quality_hold(record):
    return active_hold(record) if record is not None else None
