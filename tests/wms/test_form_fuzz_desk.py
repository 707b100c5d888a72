"""The fuzzer of tests/wms/test_form_fuzz.py over the desk's list tools and records' notes: saved
filters, comments and attachments, stock on a date and stock ageing. Odd values in every field,
as every role: a page, a redirect or a refusal, never a server error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Role
from tests.factories import UserFactory
from tests.wms.test_form_fuzz import ODD, ROLE_SWEEP, answer, fields_of, plant, roles  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def note_forms(p) -> list[tuple[str, dict]]:
    return [
        (reverse("saved-filter-save"), {"path": reverse("wms:lot-list"), "query": "status=quarantine", "name": "Held"}),
        (reverse("comment-add"), {"record": f"wms.lot:{p['lot'].pk}", "body": "Checked", "next": "/wms/"}),
    ]


def query_pages() -> list[str]:
    return [reverse("wms:stock-as-of"), reverse("wms:stock-ageing")]


@pytest.mark.parametrize("role", [role for role, _label in Role.choices])
def test_the_note_forms_and_history_filters_answer_every_role_without_a_server_error(client, plant, role):  # noqa: F811
    client.force_login(UserFactory(username=f"fuzz-{role}", roles=[role], sites=[plant["site"]]))
    for url, valid in note_forms(plant):
        for value in ROLE_SWEEP:
            answer(client.post(url, dict.fromkeys(valid, value)), f"POST {url} all={value!r}")
    for url in query_pages():
        page = client.get(url)
        answer(page, f"GET {url}")
        names = fields_of(page.content.decode(), "get") if page.status_code == 200 else ["as_of"]
        for value in ROLE_SWEEP:
            answer(client.get(url, dict.fromkeys(names, value)), f"GET {url} all={value!r}")


def test_every_field_of_the_note_forms_fed_odd_values(client, plant):  # noqa: F811
    client.force_login(UserFactory(username="fuzz-lead", roles=["supervisor", "warehouse"], sites=[plant["site"]]))
    for url, valid in note_forms(plant):
        for name in [*valid, "key"]:
            for value in ODD:
                answer(client.post(url, {**valid, name: value}), f"POST {url} {name}={value!r}")


def test_odd_files_are_field_messages(client, plant):  # noqa: F811
    client.force_login(plant["worker"])
    record = f"wms.lot:{plant['lot'].pk}"
    for upload in [
        SimpleUploadedFile("run.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("fake.pdf", b"<html><script>x</script>"),
        SimpleUploadedFile("../../etc/passwd.txt", b"root:x:0:0\n"),
        SimpleUploadedFile("binary.txt", b"\x00\x01\x02"),
        SimpleUploadedFile("empty.png", b""),
    ]:
        response = client.post(reverse("comment-add"), {"record": record, "body": "", "file": upload})
        answer(response, f"upload {upload.name}")
    # The path in the name is dropped, the text file kept; the others are refused on the file.
    from core.models import Comment

    assert list(Comment.objects.values_list("file_name", flat=True)) == ["passwd.txt"]


def test_every_field_of_the_history_filters_fed_odd_values(client, plant):  # noqa: F811
    client.force_login(UserFactory(username="fuzz-lead", roles=["supervisor", "warehouse"], sites=[plant["site"]]))
    for url in query_pages():
        names = fields_of(client.get(url).content.decode(), "get")
        assert names, url
        for name in names:
            for value in [*ODD, "2026-02-30", "2999-01-01T00:00", "0001-01-01"]:
                answer(client.get(url, {name: value}), f"GET {url} {name}={value!r}")
