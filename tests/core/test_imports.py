"""Import from a file: reading CSV and Excel, the header check, the dry run that lists every row's
errors and writes nothing, and the import that writes all rows or none (items and partners)."""

import io
from datetime import date

import pytest
from openpyxl import Workbook

from core.errors import DomainError, PermissionDenied, ValidationFailed
from core.models import ImportJob, ImportStatus, Item, Partner
from core.services import imports
from tests.factories import CurrencyFactory, ItemFactory, SiteFactory, UnitFactory, UserFactory, kg

pytestmark = pytest.mark.django_db


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def site():
    return SiteFactory(code="IM")


@pytest.fixture
def admin(site):
    return UserFactory(roles=["admin"], sites=[site])


@pytest.fixture
def units():
    return {"kg": kg(), "pcs": UnitFactory()}


def dry_run(user, site, kind, content, name="file.csv"):
    """Start the job (the eager Celery task checks it at commit) and read it back."""
    job = imports.start_import(user=user, site=site, kind=kind, file_name=name, content=content)
    imports.run_job(job_id=job.pk)  # what the task does when the commit hook has not run (TestCase)
    job.refresh_from_db()
    return job


# --- reading -------------------------------------------------------------------------------------


def test_csv_with_semicolons_and_a_bom_is_read():
    table = imports.read_table(content="\ufeffCode;Name\nA-1;Ä one\n\n".encode(), file_name="x.csv")
    assert table.header == ["code", "name"] and table.rows == [{"code": "A-1", "name": "Ä one"}]


def test_excel_cells_read_as_the_text_a_csv_would_hold():
    content = xlsx_bytes([["code", "qty", "when", "flag"], ["A", 12.0, date(2026, 1, 5), True], ["B", 0.1, None, None]])
    table = imports.read_table(content=content, file_name="x.xlsx")
    assert table.rows[0] == {"code": "A", "qty": "12", "when": "2026-01-05", "flag": "true"}
    assert table.rows[1] == {"code": "B", "qty": "0.1", "when": "", "flag": ""}


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty"), (b"\xff\xfe\x00a", "encoding"), (b"PK\x03\x04broken", "invalid"), (b"a,b\x00\n", "invalid")],
)
def test_unreadable_files_are_refused_on_the_file(content, code):
    with pytest.raises(ValidationFailed) as error:
        imports.read_table(content=content, file_name="x")
    assert (error.value.field, error.value.code) == ("file", code)


# --- dry run -------------------------------------------------------------------------------------


def test_a_good_dry_run_writes_nothing_and_the_import_writes_every_row(admin, site, units):
    content = csv_bytes(
        "code,name,type,base_unit,tracking,shelf_life_days",
        "IMP-1,Steel sheet,raw,kg,lot,365",
        "IMP-2,Bracket,semi_finished,pcs,none,",
    )
    job = dry_run(admin, site, "items", content)
    assert (job.status, job.errors, job.total_rows) == (ImportStatus.CHECKED, [], 2)
    assert not Item.objects.filter(code__startswith="IMP-").exists()

    imports.confirm_import(job=job, user=admin)
    job = imports.run_job(job_id=job.pk)
    assert (job.status, job.created_count) == (ImportStatus.IMPORTED, 2)
    steel = Item.objects.get(code="IMP-1")
    assert (steel.base_unit.code, steel.tracking, steel.shelf_life_days) == ("kg", "lot", 365)
    assert steel.history.first().history_user == admin


def test_the_dry_run_lists_every_rows_errors(admin, site, units):
    ItemFactory(code="IMP-OLD")
    content = csv_bytes(
        "code,name,type,base_unit,shelf_life_days",
        "IMP-A,Good,raw,kg,10",
        "IMP-B,Bad number,raw,kg,ten",
        "IMP-C,Unknown unit,raw,furlong,",
        "IMP-A,Repeated,raw,kg,",
        "IMP-OLD,Exists,raw,kg,",
        ",No code,bogus,kg,",
    )
    job = dry_run(admin, site, "items", content)
    found = {(e["row"], e["column"]) for e in job.errors}
    assert {(3, "shelf_life_days"), (4, "base_unit"), (5, "code"), (6, "code"), (7, "code"), (7, "type")} <= found
    assert 2 not in {e["row"] for e in job.errors}
    repeated = next(e for e in job.errors if e["row"] == 5)
    assert "row 2" in repeated["message"]
    assert not Item.objects.filter(code__startswith="IMP-").exclude(code="IMP-OLD").exists()
    with pytest.raises(DomainError):
        imports.confirm_import(job=job, user=admin)


def test_a_wrong_header_is_reported_on_row_one(admin, site, units):
    job = dry_run(admin, site, "items", csv_bytes("code,title,type,unit", "X,Y,raw,kg"))
    columns = {e["column"] for e in job.errors if e["row"] == 1}
    assert {"name", "base_unit", "title", "unit"} <= columns
    assert {e["row"] for e in job.errors} == {1}


def test_an_excel_file_of_partners_is_imported(admin, site):
    CurrencyFactory(code="EUR", name="Euro")
    content = xlsx_bytes(
        [
            ["code", "name", "is_supplier", "is_customer", "currency", "payment_terms_days"],
            ["SUP-9", "Acme", "yes", "no", "EUR", 30],
        ]
    )
    job = dry_run(admin, site, "partners", content, name="partners.xlsx")
    assert job.errors == []
    imports.confirm_import(job=job, user=admin)
    imports.run_job(job_id=job.pk)
    assert Partner.objects.get(code="SUP-9").payment_terms_days == 30


def test_import_is_all_or_nothing_when_a_row_fails_at_write_time(admin, site, units):
    content = csv_bytes("code,name,type,base_unit", "IMP-X,One,raw,kg", "IMP-Y,Two,raw,kg")
    job = dry_run(admin, site, "items", content)
    ItemFactory(code="IMP-Y")  # someone made one of them after the dry run
    imports.confirm_import(job=job, user=admin)
    job = imports.run_job(job_id=job.pk)
    assert job.status == ImportStatus.FAILED and [e["row"] for e in job.errors] == [3]
    assert not Item.objects.filter(code="IMP-X").exists()


def test_a_job_is_imported_once(admin, site, units):
    job = dry_run(admin, site, "items", csv_bytes("code,name,type,base_unit", "IMP-Z,One,raw,kg"))
    imports.confirm_import(job=job, user=admin)
    with pytest.raises(DomainError):
        imports.confirm_import(job=job, user=admin)
    imports.run_job(job_id=job.pk)
    assert imports.run_job(job_id=job.pk).created_count == 1
    assert Item.objects.filter(code="IMP-Z").count() == 1


def test_a_kind_needs_its_permission(site):
    keeper = UserFactory(roles=["warehouse"], sites=[site])
    with pytest.raises(PermissionDenied):
        imports.start_import(user=keeper, site=site, kind="items", file_name="x.csv", content=b"code\nA\n")
    with pytest.raises(ValidationFailed):
        imports.start_import(user=keeper, site=site, kind="nonsense", file_name="x.csv", content=b"code\nA\n")


# --- pages ---------------------------------------------------------------------------------------


def test_upload_dry_run_then_import_on_the_pages(web_as, admin, units, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = web_as(admin)
    assert client.get("/core/imports/").status_code == 200
    upload = SimpleUploadedFile("items.csv", csv_bytes("code,name,type,base_unit", "IMP-W,Web,raw,kg"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/core/imports/", {"kind": "items", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/core/imports/{job.pk}/"
    page = client.get(f"/core/imports/{job.pk}/")
    assert b"every row is good" in page.content
    status = client.get(f"/core/imports/{job.pk}/status/?format=json").json()
    assert (status["status"], status["percent"], status["errors"]) == ("checked", 100, 0)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/core/imports/{job.pk}/import/")
    assert Item.objects.filter(code="IMP-W").exists()
    assert b"1 record imported" in client.get(f"/core/imports/{job.pk}/").content


def test_an_unreadable_upload_is_a_field_message(web_as, admin):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = web_as(admin).post(
        "/core/imports/", {"kind": "items", "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk")}
    )
    assert response.status_code == 400 and "file" in response.context["form"].errors
    assert not ImportJob.objects.exists()


def test_the_template_names_every_column(web_as, admin):
    response = web_as(admin).get("/core/imports/templates/items.csv")
    header = response.content.decode().splitlines()[0].split(",")
    assert header == list(Item.EDITABLE_FIELDS)


def test_another_sites_job_is_not_found(web_as, admin, units):
    job = dry_run(admin, admin.sites.first(), "items", csv_bytes("code,name,type,base_unit", "IMP-S,S,raw,kg"))
    other = UserFactory(roles=["planner"], sites=[SiteFactory(code="OT")])
    assert web_as(other).get(f"/core/imports/{job.pk}/").status_code == 404
