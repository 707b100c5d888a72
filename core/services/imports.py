"""Importing master data and opening stock from CSV or Excel: a dry run, then the import.

Each kind of import (`ImportKind`) names its columns and checks a row with the same serializer
the API uses for that record; its `write` calls the same service the API calls. Apps register
their kinds (`register_kind`): items and partners here, bins and opening stock in `wms`.

Both the dry run and the import go through every row inside one transaction, under the site's
import lock: rows that pass the checks are written, each in its own savepoint, so a refusal of
the service itself (a ledger rule, a unique code) is reported on its row too. A dry run, or any
error, rolls the whole transaction back: nothing is written unless every row is good. Progress
is kept in the cache (rows inside the transaction are invisible to other connections) for the
page's progress bar.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, PermissionDenied, ValidationFailed
from core.events import publish
from core.locking import lock_site_work
from core.models import ImportJob, ImportStatus
from core.scoping import require_site_access

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PROGRESS_EVERY = 25  # rows between two progress updates
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ImportKind:
    """One kind of record a spreadsheet can bring in."""

    key: str
    label: str
    permission: str
    columns: tuple[str, ...]  # in the template's order
    required: tuple[str, ...]
    example: dict  # one row of the template
    # (row, context) -> (value for write, [(column, message), ...])
    check: Callable[[dict, SimpleNamespace], tuple[object, list[tuple[str, str]]]]
    write: Callable[[object, SimpleNamespace], object]  # writes one checked row
    unique: Callable[[object], str] | None = None  # the row's key that must not repeat in a file
    unique_column: str = "code"
    help: str = ""


KINDS: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> None:
    KINDS[kind.key] = kind


def kinds_for(user) -> list[ImportKind]:
    """The kinds `user` may import, in the order they were registered."""
    return [kind for kind in KINDS.values() if user.has_perm(kind.permission)]


def _kind(key: str, user) -> ImportKind:
    kind = KINDS.get(key)
    if kind is None:
        raise ValidationFailed(_("Choose what the file holds."), field="kind", code="invalid_choice")
    if user is not None and not user.has_perm(kind.permission):
        raise PermissionDenied()
    return kind


# --- reading files -------------------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[dict] = field(default_factory=list)  # column -> text ("" when blank)


def _cell_text(value) -> str:
    """An Excel cell as the text a CSV would hold: 12 not 12.0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # a damaged or foreign zip: openpyxl raises many kinds
        raise ValidationFailed(_("This is not a readable Excel file."), field="file", code="invalid") from error
    try:
        sheet = workbook.worksheets[0]
        lines = []
        for row in sheet.iter_rows(values_only=True):
            if len(lines) > MAX_ROWS + 1:
                break
            lines.append([_cell_text(value) for value in row])
        return lines
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed(_("Save the CSV file as UTF-8."), field="file", code="encoding") from error
    if "\x00" in text:
        raise ValidationFailed(_("This is not a text (CSV) file."), field="file", code="invalid")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [[cell.strip() for cell in line] for line in csv.reader(io.StringIO(text), delimiter=delimiter)]


def read_table(*, content: bytes, file_name: str) -> Table:
    """The header and rows of a CSV (comma or semicolon) or .xlsx file (its first sheet);
    blank lines are skipped."""
    if not content:
        raise ValidationFailed(_("The file is empty."), field="file", code="empty")
    if len(content) > MAX_FILE_BYTES:
        raise ValidationFailed(_("The file is larger than 10 MB."), field="file", code="too_large")
    lines = _read_xlsx(content) if content.startswith(XLSX_MAGIC) else _read_csv(content)
    lines = [line for line in lines if any(cell for cell in line)]
    if not lines:
        raise ValidationFailed(_("The file is empty."), field="file", code="empty")
    if len(lines) - 1 > MAX_ROWS:
        raise ValidationFailed(
            _("The file has more than %(limit)s rows; split it.") % {"limit": MAX_ROWS}, field="file", code="too_many"
        )
    header = [cell.strip().lower() for cell in lines[0]]
    while header and not header[-1]:
        header.pop()
    rows = [{name: (line[i] if i < len(line) else "") for i, name in enumerate(header)} for line in lines[1:]]
    return Table(header=header, rows=rows)


def header_errors(kind: ImportKind, header: list[str]) -> list[dict]:
    """Row 1's problems: a required column missing, an unknown or repeated column."""
    errors = []
    for name in kind.required:
        if name not in header:
            errors.append(_error(1, name, _("This column is missing.")))
    seen = set()
    for name in header:
        if not name:
            errors.append(_error(1, "", _("A column has no heading.")))
        elif name not in kind.columns:
            errors.append(
                _error(1, name, _("Unknown column; expected: %(columns)s.") % {"columns": ", ".join(kind.columns)})
            )
        elif name in seen:
            errors.append(_error(1, name, _("This column appears twice.")))
        seen.add(name)
    return errors


def _error(row: int, column: str, message) -> dict:
    return {"row": row, "column": column, "message": str(message)}


def serializer_errors(errors, aliases: dict | None = None) -> list[tuple[str, str]]:
    """A serializer's errors as (column, message) pairs; `aliases` maps its field names to the
    file's columns. Errors not on a field read as the row's (column "")."""
    aliases = aliases or {}
    pairs = []
    for name, messages in errors.items():
        column = "" if name in ("non_field_errors", "__all__") else aliases.get(name, name)
        if isinstance(messages, dict):
            messages = [message for nested in messages.values() for message in nested]
        for message in messages if isinstance(messages, list) else [messages]:
            pairs.append((column, str(message)))
    return pairs


def refusal_errors(error, aliases: dict | None = None) -> list[tuple[str, str]]:
    """A service's refusal as (column, message) pairs."""
    aliases = aliases or {}
    if isinstance(error, DomainError):
        return [(aliases.get(error.field, error.field or ""), str(error.message))]
    if hasattr(error, "error_dict"):
        return [
            (aliases.get(name, "" if name == "__all__" else name), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return [("", message) for message in error.messages]


# --- jobs ----------------------------------------------------------------------------------------


def _progress_key(job_id: int) -> str:
    return f"core.import.progress.{job_id}"


def progress(job: ImportJob) -> dict:
    """How far the job is: {"phase" (checking or writing), "done", "total", "percent"}; an
    import checks every row again, then writes them."""
    running = job.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    state = (cache.get(_progress_key(job.pk)) if running else None) or {}
    total = state.get("total", job.total_rows)
    done = state.get("done", 0 if running else total)
    percent = int(done * 100 / total) if total else (0 if running else 100)
    return {"phase": state.get("phase", "checking"), "done": done, "total": total, "percent": percent}


def start_import(*, user, site, kind: str, file_name: str, content: bytes) -> ImportJob:
    """Keep the file and queue its dry run. The file's format is checked at once (so a file that
    cannot be read is refused on the form); the rows are checked by the task."""
    require_site_access(user, site)
    import_kind = _kind(kind, user)
    table = read_table(content=content, file_name=file_name)
    with transaction.atomic():
        job = ImportJob.objects.create(
            kind=import_kind.key,
            site=site,
            user=user,
            file_name=(file_name or "")[:200],
            content=content,
            total_rows=len(table.rows),
        )
        publish("core.import.started", {"job": job.pk, "kind": job.kind, "rows": job.total_rows}, site=site, live=False)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def confirm_import(*, job: ImportJob, user) -> ImportJob:
    """Import a job whose dry run found no errors. Only once: a second confirmation (a double
    click, two people) finds it already importing and changes nothing."""
    require_site_access(user, job.site_id, message=_("Unknown import."))
    _kind(job.kind, user)
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status != ImportStatus.CHECKED or locked.errors:
            _refuse_confirmation(locked)
        locked.status = ImportStatus.IMPORTING
        locked.finished_at = None
        locked.save(update_fields=["status", "finished_at"])
        cache.delete(_progress_key(locked.pk))
        transaction.on_commit(lambda: _enqueue(locked.pk))
    return locked


def _refuse_confirmation(job: ImportJob):
    if job.status == ImportStatus.CHECKED:
        raise DomainError(_("The dry run found errors; correct the file and check it again."), code="import_has_errors")
    raise DomainError(
        _("This import is %(status)s; it cannot be started again.") % {"status": job.get_status_display().lower()},
        code="import_not_checked",
    )


def _enqueue(job_id: int) -> None:
    from core.tasks import run_import_job

    run_import_job.delay(job_id)


def run_job(*, job_id: int) -> ImportJob:
    """The task's work: the dry run of a job that is being checked, or the import of one that
    was confirmed. Anything else (a redelivered task) does nothing."""
    job = ImportJob.objects.select_related("site", "user").get(pk=job_id)
    if job.status not in (ImportStatus.CHECKING, ImportStatus.IMPORTING):
        return job
    commit = job.status == ImportStatus.IMPORTING
    kind = KINDS[job.kind]
    errors, written = process(kind=kind, job=job, commit=commit)
    status = ImportStatus.CHECKED
    if commit:
        status = ImportStatus.FAILED if errors else ImportStatus.IMPORTED
    ImportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=status,
        errors=errors,
        created_count=written if commit and not errors else 0,
        finished_at=timezone.now(),
    )
    cache.delete(_progress_key(job.pk))
    job.refresh_from_db()
    return job


def process(*, kind: ImportKind, job: ImportJob, commit: bool) -> tuple[list[dict], int]:
    """Check and write every row of the job's file in one transaction; roll it back on a dry
    run or on any error. Returns the errors (row, column, message) and the rows written."""
    table = read_table(content=bytes(job.content), file_name=job.file_name)
    context = SimpleNamespace(user=job.user, site=job.site, request=SimpleNamespace(user=job.user))
    errors = header_errors(kind, table.header)
    written = 0
    if errors:
        return errors, 0
    total = len(table.rows)
    key = _progress_key(job.pk)
    _report(key, "checking", 0, total, force=True)
    with transaction.atomic():
        # One import of a site at a time: the second sees the first's records as existing
        # instead of failing on a unique code.
        lock_site_work(job.site, "core.import")
        # First every row is checked against what exists before the file (so a code repeated
        # in the file reads as a repeat, not as "exists"), then the good rows are written.
        checked: list[tuple[int, object]] = []
        seen: dict[str, int] = {}
        for index, row in enumerate(table.rows):
            number = index + 2  # the header is row 1
            value, problems = kind.check({k: v for k, v in row.items() if v != ""}, context)
            if not problems and kind.unique is not None:
                unique = kind.unique(value).upper()
                if unique in seen:
                    problems = [(kind.unique_column, _("Repeats row %(row)s of this file.") % {"row": seen[unique]})]
                else:
                    seen[unique] = number
            if problems:
                errors.extend(_error(number, column, message) for column, message in problems)
            else:
                checked.append((number, value))
            _report(key, "checking", index + 1, total)
        for index, (number, value) in enumerate(checked):
            try:
                with transaction.atomic():
                    kind.write(value, context)
                written += 1
            except (DomainError, DjangoValidationError) as error:
                errors.extend(_error(number, column, message) for column, message in refusal_errors(error))
            except IntegrityError:
                errors.append(_error(number, "", _("This record was created by someone else meanwhile.")))
            _report(key, "writing", index + 1, len(checked))
        errors.sort(key=lambda error: error["row"])
        if errors or not commit:
            transaction.set_rollback(True)
        else:
            publish("core.import.done", {"job": job.pk, "kind": kind.key, "rows": written}, site=job.site, live=False)
    return errors, written


def _report(key: str, phase: str, done: int, total: int, *, force: bool = False) -> None:
    if force or done % PROGRESS_EVERY == 0 or done == total:
        cache.set(key, {"phase": phase, "done": done, "total": total}, timeout=3600)


def template_csv(kind: ImportKind) -> str:
    """The template of a kind: its header and one example row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(kind.columns)
    writer.writerow([kind.example.get(column, "") for column in kind.columns])
    return out.getvalue()


# --- items and partners --------------------------------------------------------------------------


def _master_data_kind(*, key, label, model, serializer_path, columns, required, example, permission, help=""):
    def check(row, context):
        from django.utils.module_loading import import_string

        serializer = import_string(serializer_path)(data=row, context={"request": context.request})
        if not serializer.is_valid():
            return None, serializer_errors(serializer.errors)
        return dict(serializer.validated_data), []

    def write(data, context):
        from core.services import master_data

        return master_data.create_record(model=model, user=context.user, data=data)

    return ImportKind(
        key=key,
        label=label,
        permission=permission,
        columns=columns,
        required=required,
        example=example,
        check=check,
        write=write,
        unique=lambda data: data["code"],
        help=help,
    )


def register_core_kinds() -> None:
    from django.utils.translation import gettext_lazy

    from core.models import Item, Partner

    register_kind(
        _master_data_kind(
            key="items",
            label=gettext_lazy("Items"),
            model=Item,
            serializer_path="core.api.serializers.ItemSerializer",
            columns=Item.EDITABLE_FIELDS,
            required=("code", "name", "type", "base_unit"),
            example={
                "code": "RAW-100",
                "name": "Steel sheet 2 mm",
                "type": "raw",
                "base_unit": "kg",
                "tracking": "lot",
            },
            permission="core.add_item",
        )
    )
    register_kind(
        _master_data_kind(
            key="partners",
            label=gettext_lazy("Partners"),
            model=Partner,
            serializer_path="core.api.serializers.PartnerSerializer",
            columns=Partner.EDITABLE_FIELDS,
            required=("code", "name"),
            example={"code": "SUP-100", "name": "Acme Metals", "is_supplier": "yes", "currency": "EUR"},
            permission="core.add_partner",
        )
    )
