"""The fuzzer of tests/wms/test_form_fuzz.py over the setup forms (warehouses, zones, bins, bulk
bin generation, reorder rules) and the import upload: odd values in every field, as every role;
a page, a redirect or a refusal, never a server error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import Role
from tests.factories import UserFactory
from tests.wms.test_form_fuzz import ODD, ROLE_SWEEP, answer, fields_of, plant, roles  # noqa: F401 (fixtures)
from wms.models import Warehouse, Zone

pytestmark = pytest.mark.django_db


def setup_forms(p) -> list[tuple[str, dict]]:
    warehouse = Warehouse.objects.get(code="WH1")
    zone = Zone.objects.get(warehouse=warehouse, code="RAW")
    return [
        (
            reverse("wms:warehouse-create"),
            {
                "site": p["site"].pk,
                "code": "WH9",
                "name": "New",
                "count_variance_pct": "5",
                "count_variance_value": "500",
            },
        ),
        (
            reverse("wms:warehouse-edit", args=[warehouse.pk]),
            {"name": "Main", "count_variance_pct": "5", "count_variance_value": "500"},
        ),
        (
            reverse("wms:zone-create"),
            {"warehouse": warehouse.pk, "code": "Z9", "name": "Zone", "kind": "raw", "temperature_class": "ambient"},
        ),
        (
            reverse("wms:zone-edit", args=[zone.pk]),
            {"name": "Raw", "kind": "raw", "allowed_item_types": "raw", "temperature_class": "ambient"},
        ),
        (
            reverse("wms:bin-create"),
            {
                "warehouse": warehouse.pk,
                "zone": zone.pk,
                "aisle": "Q",
                "rack": "1",
                "distance_rank": "5",
                "pick_sequence": "1",
            },
        ),
        (
            reverse("wms:bin-edit", args=[p["b"].pk]),
            {"zone": zone.pk, "aisle": "A", "rack": "02", "distance_rank": "5", "pick_sequence": "2", "max_lots": "3"},
        ),
        (
            reverse("wms:bin-generate"),
            {
                "warehouse": warehouse.pk,
                "zone": zone.pk,
                "aisles": "R-S",
                "racks": "01-02",
                "levels": "1",
                "positions": "",
                "max_volume_l": "",
                "max_weight_kg": "100",
                "max_lots": "2",
                "distance_rank": "50",
                "preview": "1",
            },
        ),
        (
            reverse("wms:reorder-rule-create"),
            {"site": p["site"].pk, "item": p["bolt"].pk, "reorder_point": "10", "safety_stock": "2"},
        ),
    ]


SETUP_FORMS = 8


@pytest.mark.parametrize("role", [role for role, _label in Role.choices])
def test_the_setup_forms_answer_every_role_without_a_server_error(client, plant, role):  # noqa: F811
    client.force_login(UserFactory(username=f"fuzz-{role}", roles=[role], sites=[plant["site"]]))
    for url, valid in setup_forms(plant):
        page = client.get(url)
        answer(page, f"GET {url}")
        names = sorted(set(valid) | set(fields_of(page.content.decode(), "post"))) if page.status_code == 200 else valid
        for value in ROLE_SWEEP:
            answer(client.post(url, dict.fromkeys(names, value)), f"POST {url} all={value!r}")


@pytest.mark.parametrize("page", range(SETUP_FORMS))
def test_every_field_of_the_setup_forms_fed_odd_values(client, plant, page):  # noqa: F811
    client.force_login(UserFactory(username="fuzz-lead", roles=["supervisor", "warehouse"], sites=[plant["site"]]))
    url, valid = setup_forms(plant)[page]
    for name in valid:
        for value in [*ODD, "-1", "0", "99999999999999999999", "Z-A", "1-99999"]:
            answer(client.post(url, {**valid, name: value}), f"POST {url} {name}={value!r}")


def test_odd_import_files_are_field_messages_or_row_errors(client, plant):  # noqa: F811
    client.force_login(UserFactory(username="fuzz-admin", roles=["admin"], sites=[plant["site"]]))
    url = reverse("core:import-start")
    for kind in ["items", "partners", "bins", "opening_stock", "nonsense", ""]:
        for upload in [
            SimpleUploadedFile("a.csv", b""),
            SimpleUploadedFile("a.csv", b"\xff\xfe\x00\x01"),
            SimpleUploadedFile("a.xlsx", b"PK\x03\x04not a zip"),
            SimpleUploadedFile("a.csv", "code,name\n<script>x</script>,批次\n1e400,bad\x00nul\n".encode()),
            SimpleUploadedFile("a.csv", b'"unterminated,quote\n'),
            SimpleUploadedFile("a.csv", b";;;\n;;;\n"),
        ]:
            answer(client.post(url, {"kind": kind, "file": upload}), f"POST {url} {kind} {upload.name}")
    for value in ODD:
        answer(client.get(url, {"kind": value}), f"GET {url} kind={value!r}")
