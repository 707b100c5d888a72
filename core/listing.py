"""What every desk list does the same way: sort by a column (`?sort=code`, `?sort=-code`), show
its count, page, and download all its filtered rows as CSV or Excel (`?export=csv|xlsx`).

A list declares its columns once (`Column`): the heading, the ordering it sorts by and the value
an export writes. Its filter bar is `core/_filter_bar.html` (the same on every list, with saved
filters), and its table headings are `{% sort_th column %}`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.paginator import Paginator

from core import exports

PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    key: str  # the name in ?sort=
    label: str
    order_by: tuple[str, ...] = ()  # the ordering when sorted ascending; empty: not sortable
    value: Callable[[object], object] | None = None  # the exported cell; None: not exported
    num: bool = False

    @property
    def sortable(self) -> bool:
        return bool(self.order_by)


def _descending(path: str) -> str:
    return path[1:] if path.startswith("-") else f"-{path}"


def sort_rows(request, rows, columns: list[Column]):
    """The rows in the order `?sort=` names (a column key, "-" for descending), and that key;
    an unknown key leaves the list's own order."""
    sort = request.GET.get("sort", "")
    by_key = {column.key: column for column in columns if column.sortable}
    column = by_key.get(sort.lstrip("-"))
    if column is None:
        return rows, ""
    if isinstance(rows, list):  # rows computed in Python (dicts): sorted by their keys, blanks last
        key = column.order_by[0]
        present = [row for row in rows if row.get(key) is not None]
        blank = [row for row in rows if row.get(key) is None]
        return sorted(present, key=lambda row: row[key], reverse=sort.startswith("-")) + blank, sort
    order = list(column.order_by) if not sort.startswith("-") else [_descending(p) for p in column.order_by]
    tiebreak = [] if _is_grouped(rows) else ["pk"]  # a stable order across pages
    return rows.order_by(*order, *tiebreak), sort


def _is_grouped(rows) -> bool:
    """A `values(...).annotate(...)` summary: adding the primary key would undo its grouping."""
    return getattr(rows, "_fields", None) is not None


def list_page(request, rows, *, columns: list[Column], title: str, size: int = PAGE_SIZE):
    """Sort the rows, then either a download of all of them (an HttpResponse) or the page to show
    (a dict for the template: `page_obj`, `columns`, `sort`, `count`)."""
    rows, sort = sort_rows(request, rows, columns)
    export = request.GET.get("export", "")
    if export in exports.FORMATS:
        exported = [column for column in columns if column.value is not None]
        iterable = rows.iterator(chunk_size=2000) if hasattr(rows, "iterator") and not _is_grouped(rows) else rows
        return exports.export_response(
            fmt=export,
            title=str(title),
            headings=[str(column.label) for column in exported],
            rows=iterable,
            row_values=lambda row: [column.value(row) for column in exported],
        )
    page_obj = Paginator(rows, size).get_page(request.GET.get("page"))
    return {"page_obj": page_obj, "columns": {c.key: c for c in columns}, "sort": sort, "exportable": True}
