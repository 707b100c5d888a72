"""Lists as CSV or Excel files: the rows a list page shows (its search, filters and sort), all of
them rather than one page, with the same column headings.

Cells keep their type in Excel (numbers stay numbers, times are the reader's local time) and
text that a spreadsheet would run as a formula is quoted, so an exported record can never
execute in the reader's spreadsheet.
"""

import csv
import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify

# More rows than this is a report for the API or a BI tool, not a spreadsheet download.
MAX_EXPORT_ROWS = 100_000
FORMATS = ("csv", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """A value as a spreadsheet cell: numbers and dates keep their type, times are local."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, Decimal | int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, date):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _filename(title: str, extension: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{slugify(title) or 'export'}-{stamp}.{extension}"


def export_response(
    *, fmt: str, title: str, headings: list[str], rows: Iterable, row_values: Callable[[object], list]
) -> HttpResponse:
    """The rows as a download in `fmt` (csv or xlsx), at most MAX_EXPORT_ROWS of them."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    limited = (row_values(row) for _, row in zip(range(MAX_EXPORT_ROWS), rows, strict=False))
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def lines():
            yield "\ufeff"  # so Excel opens UTF-8 (Chinese names) correctly
            yield writer.writerow(headings)
            for values in limited:
                yield writer.writerow(["" if v is None else _csv_text(cell_value(v)) for v in values])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31] or "export")
        sheet.append(headings)
        for values in limited:
            sheet.append([cell_value(v) for v in values])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{_filename(title, fmt)}"'
    return response


def _csv_text(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
