"""Tags of the desk lists: `{% sort_th column %}` (a heading that sorts), `{% saved_filters %}`
(the user's saved filters of this list) and `{% query_without "page" "sort" %}`."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from core.selectors.saved_filters import saved_filters as saved_filter_list
from core.services.saved_filters import clean_query

register = template.Library()


def _query(request, *drop: str) -> str:
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    return params.urlencode()


@register.simple_tag(takes_context=True)
def query_without(context, *names):
    """The current query string without `names`, ready to be followed by `&` (or empty)."""
    query = _query(context["request"], *names)
    return f"{query}&" if query else ""


@register.simple_tag(takes_context=True)
def sort_th(context, column, css: str = ""):
    """A table heading; a sortable column's heading links to the list sorted by it (a second click
    reverses the order) and shows the direction it is sorted in."""
    if column is None:
        return ""
    classes = " ".join(filter(None, [css, "num" if column.num else ""]))
    class_attr = format_html(' class="{}"', classes) if classes else ""
    if not column.sortable:
        return format_html('<th scope="col"{}>{}</th>', class_attr, column.label)
    sort = context.get("sort", "")
    ascending, descending = sort == column.key, sort == f"-{column.key}"
    target = f"-{column.key}" if ascending else column.key
    state = "asc" if ascending else "desc" if descending else ""
    aria = {"asc": "ascending", "desc": "descending"}.get(state, "none")
    query = _query(context["request"], "sort", "page", "export")
    href = f"?{query}&sort={target}" if query else f"?sort={target}"
    return format_html(
        '<th scope="col"{} aria-sort="{}"><a class="sort {}" href="{}" title="{}">{}</a></th>',
        class_attr,
        aria,
        state,
        href,
        _("Sort by this column"),
        column.label,
    )


@register.simple_tag(takes_context=True)
def saved_filters(context):
    """The user's saved filters of the current list, each with its URL and whether it is the one
    shown now."""
    request = context["request"]
    current = clean_query(request.GET.urlencode())
    rows = []
    for saved in saved_filter_list(user=request.user, path=request.path):
        rows.append(
            {
                "id": saved.pk,
                "name": saved.name,
                "url": f"{request.path}?{saved.query}",
                "active": saved.query == current,
            }
        )
    return rows
