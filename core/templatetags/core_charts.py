"""`{% plotly_chart figure "name" %}`: a plotly figure drawn by static/js/app.js from a JSON data
block, so the page needs no inline script (Content-Security-Policy) and no CDN."""

from django import template
from django.utils.html import format_html, json_script

register = template.Library()


@register.simple_tag
def plotly_chart(figure, name: str):
    """`figure` is a plotly figure as a dict (`json.loads(fig.to_json())`)."""
    data_id = f"chart-{name}-data"
    return format_html('{}<div class="chart" data-plotly="{}"></div>', json_script(figure, data_id), data_id)
