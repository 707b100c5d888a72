"""The core REST API: CRUD per resource, code filters, field errors, permissions, users."""

from decimal import Decimal

import pytest

from core.models import Company, Currency, ExchangeRate, Item, Partner, Site, Unit, User, Webhook
from tests.factories import (
    CompanyFactory,
    CurrencyFactory,
    ItemFactory,
    PartnerFactory,
    SiteFactory,
    UnitConversionFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/core"


@pytest.fixture
def admin():
    return UserFactory(username="boss", roles=["admin"])


@pytest.fixture
def admin_api(api_as, admin):
    return api_as(admin)


@pytest.fixture
def pcs():
    return UnitFactory()


# --- CRUD per resource -------------------------------------------------------------------------

CASES = [
    # (resource, body to create, change to patch, field that shows the change)
    ("currencies", {"code": "EUR", "name": "Euro", "decimals": 2}, {"name": "Euro (EUR)"}, "name"),
    ("units", {"code": "m", "name": "metre", "dimension": "length", "ratio": "1"}, {"name": "meter"}, "name"),
    ("companies", {"code": "ACME", "name": "Acme", "base_currency": "USD"}, {"name": "Acme Ltd"}, "name"),
    (
        "sites",
        {"code": "P9", "name": "Plant 9", "company": "CO-FIX", "time_zone": "Europe/Berlin"},
        {"time_zone": "Asia/Shanghai"},
        "time_zone",
    ),
    (
        "items",
        {"code": "CMP-100", "name": "Compressor", "type": "finished", "base_unit": "pcs", "tracking": "serial"},
        {"standard_cost": "12.5000"},
        "standard_cost",
    ),
    (
        "partners",
        {"code": "SUP1", "name": "Steel Co", "is_supplier": True, "currency": "USD"},
        {"is_customer": True},
        "is_customer",
    ),
    (
        "webhooks",
        {"name": "ERP", "url": "https://erp.example.com/hook", "secret": "s" * 20, "events": ["wms.*"]},
        {"active": False},
        "active",
    ),
]


@pytest.mark.parametrize(("resource", "body", "change", "field"), CASES, ids=[c[0] for c in CASES])
def test_admin_creates_reads_updates_and_deletes_each_resource(admin_api, pcs, resource, body, change, field):
    CurrencyFactory()
    CompanyFactory(code="CO-FIX")
    created = admin_api.post(f"{API}/{resource}/", body, format="json")
    assert created.status_code == 201, created.json()
    record = created.json()
    assert "id" in record
    url = f"{API}/{resource}/{record['id']}/"

    assert admin_api.get(url).json()["id"] == record["id"]
    listed = admin_api.get(f"{API}/{resource}/").json()
    assert {"count", "next", "results"} <= listed.keys()
    assert record["id"] in [r["id"] for r in listed["results"]]

    patched = admin_api.patch(url, change, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()[field] == next(iter(change.values()))

    assert admin_api.delete(url).status_code == 204
    assert admin_api.get(url).status_code == 404


def test_exchange_rate_references_currencies_by_code(admin_api):
    CurrencyFactory()
    CurrencyFactory(code="CNY", name="Renminbi")
    response = admin_api.post(
        f"{API}/exchange-rates/",
        {"from_currency": "USD", "to_currency": "CNY", "rate": "7.1234", "valid_from": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["from_currency"] == "USD"
    assert ExchangeRate.objects.get().rate == Decimal("7.1234")


def test_item_carries_base_unit_code_and_conversions(admin_api, pcs):
    item = ItemFactory(code="SCREW-M4")
    box = UnitFactory(code="box", name="box", dimension="count")
    item.unit_conversions.create(unit=box, factor=Decimal("50"))
    data = admin_api.get(f"{API}/items/{item.pk}/").json()
    assert data["base_unit"] == "pcs"
    assert data["conversions"] == [{"unit": "box", "factor": "50.000000000000"}]
    assert data["standard_cost"] == "2.5000"


@pytest.mark.parametrize(
    ("resource", "make", "code"),
    [
        ("items", lambda: [ItemFactory(code="A-1"), ItemFactory(code="B-2")], "B-2"),
        ("partners", lambda: [PartnerFactory(code="C1"), PartnerFactory(code="C2")], "C1"),
        ("sites", lambda: [SiteFactory(code="P1"), SiteFactory(code="P2")], "P2"),
        ("units", lambda: [UnitFactory(), UnitFactory(code="kg", dimension="mass")], "kg"),
    ],
)
def test_lists_filter_by_code(admin_api, resource, make, code):
    make()
    results = admin_api.get(f"{API}/{resource}/", {"code": code}).json()["results"]
    assert [r["code"] for r in results] == [code]


def test_items_filter_by_type_and_base_unit(admin_api, pcs):
    ItemFactory(code="RAW-1", type="raw")
    kg = UnitFactory(code="kg", name="kilogram", dimension="mass")
    ItemFactory(code="FG-1", type="finished", base_unit=kg)
    assert [r["code"] for r in admin_api.get(f"{API}/items/", {"type": "finished"}).json()["results"]] == ["FG-1"]
    assert [r["code"] for r in admin_api.get(f"{API}/items/", {"base_unit": "pcs"}).json()["results"]] == ["RAW-1"]


# --- validation: 400 with field messages, never 500 -------------------------------------------


def test_bad_time_zone_is_a_field_error(admin_api):
    company = CompanyFactory()
    response = admin_api.post(
        f"{API}/sites/",
        {"code": "P7", "name": "x", "company": company.code, "time_zone": "Mars/Olympus"},
        format="json",
    )
    assert response.status_code == 400
    assert "time_zone" in response.json()
    assert not Site.objects.filter(code="P7").exists()


def test_duplicate_code_is_a_field_error(admin_api, pcs):
    ItemFactory(code="DUP-1")
    response = admin_api.post(
        f"{API}/items/", {"code": "DUP-1", "name": "again", "type": "raw", "base_unit": "pcs"}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert Item.objects.filter(code="DUP-1").count() == 1


def test_unknown_currency_code_is_a_field_error(admin_api):
    response = admin_api.post(
        f"{API}/partners/", {"code": "X1", "name": "x", "is_customer": True, "currency": "XXX"}, format="json"
    )
    assert response.status_code == 400
    assert "XXX" in response.json()["currency"][0]


def test_negative_standard_cost_is_a_field_error(admin_api, pcs):
    response = admin_api.post(
        f"{API}/items/",
        {"code": "NEG", "name": "x", "type": "raw", "base_unit": "pcs", "standard_cost": "-1"},
        format="json",
    )
    assert response.status_code == 400
    assert "standard_cost" in response.json()


def test_partner_must_be_customer_or_supplier(admin_api):
    CurrencyFactory()
    response = admin_api.post(f"{API}/partners/", {"code": "N1", "name": "nobody", "currency": "USD"}, format="json")
    assert response.status_code == 400
    assert "is_customer" in response.json()
    assert not Partner.objects.filter(code="N1").exists()


def test_weak_password_is_a_field_error(admin_api):
    response = admin_api.post(f"{API}/users/", {"username": "weak", "password": "123"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="weak").exists()


@pytest.mark.parametrize("resource", ["items", "sites", "users", "partners", "units", "webhooks"])
def test_garbage_json_is_400(admin_api, resource):
    response = admin_api.generic("POST", f"{API}/{resource}/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("body", [[], "text", 12, {"code": ["a"], "name": {"x": 1}}])
def test_wrong_shapes_are_400(admin_api, pcs, body):
    response = admin_api.post(f"{API}/items/", body, format="json")
    assert response.status_code == 400


GARBAGE = [
    ("items", "shelf_life_days", 10**30),
    ("items", "shelf_life_days", "1e400"),
    ("items", "standard_cost", "NaN"),
    ("items", "standard_cost", 10**30),
    ("items", "base_unit", ["pcs"]),
    ("items", "base_unit", {"code": "pcs"}),
    ("items", "type", "rocket"),
    ("items", "name", "\x00"),
    ("users", "sites", "P1"),
    ("users", "sites", [["P1"]]),
    ("users", "sites", [{"code": "P1"}]),
    ("users", "roles", "admin"),
    ("users", "roles", [["admin"]]),
    ("users", "username", "x" * 5000),
    ("sites", "company", 10**30),
    ("sites", "time_zone", ["UTC"]),
    ("sites", "time_zone", "Mars/Olympus"),
    ("units", "ratio", "0"),
    ("units", "dimension", None),
]
VALID = {
    "items": {"code": "G-1", "name": "g", "type": "raw", "base_unit": "pcs"},
    "users": {"username": "g1", "roles": ["operator"], "sites": ["P1"]},
    "sites": {"code": "G1", "name": "g", "company": "CO-G", "time_zone": "UTC"},
    "units": {"code": "gu", "name": "g", "dimension": "count", "ratio": "1"},
}


@pytest.mark.parametrize(
    ("resource", "field", "value"), GARBAGE, ids=[f"{r}-{f}-{i}" for i, (r, f, _v) in enumerate(GARBAGE)]
)
def test_garbage_in_a_field_is_a_400_on_that_field(admin_api, pcs, resource, field, value):
    """Wrong types, lists for codes, huge numbers: a field error, never a 500, nothing saved."""
    SiteFactory(code="P1", company=CompanyFactory(code="CO-G"))
    model = {"items": Item, "users": User, "sites": Site, "units": Unit}[resource]
    before = model.objects.count()
    response = admin_api.post(f"{API}/{resource}/", {**VALID[resource], field: value}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert model.objects.count() == before


@pytest.mark.parametrize("query", [{"search": "\x00"}, {"code": "\x00"}, {"page": "x"}])
def test_garbage_in_a_list_query_is_a_4xx(admin_api, query):
    response = admin_api.get(f"{API}/items/", query)
    assert 400 <= response.status_code < 500


def test_wrong_content_type_is_415(admin_api):
    response = admin_api.generic("POST", f"{API}/units/", "code=x", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("resource", "make"),
    [
        ("items", lambda n: UnitConversionFactory(item=ItemFactory(code=f"N{n:03d}"), unit=UnitFactory(code="box"))),
        ("users", lambda n: UserFactory(username=f"n{n:03d}", roles=["operator"], sites=[SiteFactory(code="NP")])),
        ("sites", lambda n: SiteFactory(code=f"N{n:03d}")),
        ("companies", lambda n: CompanyFactory(code=f"N{n:03d}")),
        ("partners", lambda n: PartnerFactory(code=f"N{n:03d}")),
    ],
)
def test_lists_answer_in_a_fixed_number_of_queries(admin_api, django_assert_max_num_queries, resource, make):
    for n in range(35):
        make(n)
    admin_api.get(f"{API}/{resource}/")  # warm the permission cache
    with django_assert_max_num_queries(8):
        response = admin_api.get(f"{API}/{resource}/")
    assert response.json()["count"] >= 35


def test_deleting_a_unit_in_use_is_409(admin_api, pcs):
    ItemFactory(base_unit=pcs)
    response = admin_api.delete(f"{API}/units/{pcs.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert "in use" in response.json()["detail"]
    assert Unit.objects.filter(pk=pcs.pk).exists()


# --- permissions ------------------------------------------------------------------------------


def test_operator_cannot_create_items(api_as, pcs):
    operator = UserFactory(roles=["operator"])
    response = api_as(operator).post(
        f"{API}/items/", {"code": "OP-1", "name": "x", "type": "raw", "base_unit": "pcs"}, format="json"
    )
    assert response.status_code == 403
    assert not Item.objects.filter(code="OP-1").exists()
    assert api_as(operator).get(f"{API}/items/").status_code == 200


def test_planner_creates_items_but_not_sites(api_as, pcs):
    planner = UserFactory(roles=["planner"])
    client = api_as(planner)
    body = {"code": "PL-1", "name": "x", "type": "raw", "base_unit": "pcs"}
    assert client.post(f"{API}/items/", body, format="json").status_code == 201
    company = CompanyFactory()
    site = {"code": "PX", "name": "x", "company": company.code, "time_zone": "UTC"}
    assert client.post(f"{API}/sites/", site, format="json").status_code == 403


def test_user_without_role_sees_nothing(api_as):
    nobody = UserFactory()
    assert api_as(nobody).get(f"{API}/items/").status_code == 403


def test_anonymous_is_refused(api):
    assert api.get(f"{API}/items/").status_code in (401, 403)


def test_token_authentication(api, admin):
    from core.services.users import issue_token

    token = issue_token(user=admin)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(f"{API}/sites/").status_code == 200


# --- users ------------------------------------------------------------------------------------


def test_admin_creates_user_with_roles_and_site_codes(admin_api, client):
    SiteFactory(code="P1")
    SiteFactory(code="P2")
    response = admin_api.post(
        f"{API}/users/",
        {
            "username": "wang.li",
            "password": "Str0ng-enough-pass",
            "roles": ["warehouse", "operator"],
            "sites": ["P1"],
            "badge_id": "B-0042",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert "password" not in data
    assert data["roles"] == ["operator", "warehouse"]
    assert data["sites"] == ["P1"]
    user = User.objects.get(username="wang.li")
    assert user.check_password("Str0ng-enough-pass")
    assert "password" not in admin_api.get(f"{API}/users/{user.pk}/").json()


def test_user_roles_must_be_known_and_sites_must_exist(admin_api):
    response = admin_api.post(f"{API}/users/", {"username": "x1", "roles": ["pilot"], "sites": ["NOPE"]}, format="json")
    assert response.status_code == 400
    assert {"roles", "sites"} <= response.json().keys()


def test_users_filter_by_role_and_site(admin_api):
    p1 = SiteFactory(code="P1")
    UserFactory(username="op1", roles=["operator"], sites=[p1])
    UserFactory(username="wh1", roles=["warehouse"])
    assert [u["username"] for u in admin_api.get(f"{API}/users/", {"role": "operator"}).json()["results"]] == ["op1"]
    assert [u["username"] for u in admin_api.get(f"{API}/users/", {"site": "P1"}).json()["results"]] == ["op1"]


def test_deleting_a_user_deactivates_it(admin_api):
    worker = UserFactory(username="leaver")
    assert admin_api.delete(f"{API}/users/{worker.pk}/").status_code == 204
    worker.refresh_from_db()
    assert worker.is_active is False


def test_non_admin_cannot_create_users(api_as):
    supervisor = UserFactory(roles=["supervisor"])
    response = api_as(supervisor).post(f"{API}/users/", {"username": "sneaky"}, format="json")
    assert response.status_code == 403


def test_password_change_through_api(admin_api):
    worker = UserFactory(username="pw")
    response = admin_api.patch(f"{API}/users/{worker.pk}/", {"password": "An0ther-good-one"}, format="json")
    assert response.status_code == 200
    worker.refresh_from_db()
    assert worker.check_password("An0ther-good-one")


# --- audit ------------------------------------------------------------------------------------


def test_api_edit_is_audited_with_the_api_user(admin_api, admin, pcs):
    item = ItemFactory(code="AUD-1", name="old name")
    admin_api.patch(f"{API}/items/{item.pk}/", {"name": "new name"}, format="json")
    latest = item.history.order_by("-history_date").first()
    assert latest.history_user == admin
    assert latest.name == "new name"
    assert latest.prev_record.name == "old name"


def test_currency_code_is_upper_cased(admin_api):
    response = admin_api.post(f"{API}/currencies/", {"code": "jpy", "name": "Yen", "decimals": 0}, format="json")
    assert response.status_code == 201
    assert Currency.objects.filter(code="JPY").exists()


def test_webhook_secret_is_write_only(admin_api):
    response = admin_api.post(
        f"{API}/webhooks/", {"name": "x", "url": "https://x.example.com/", "secret": "k" * 16}, format="json"
    )
    assert "secret" not in response.json()
    assert Webhook.objects.get().secret == "k" * 16


def test_company_list_is_scoped(api_as):
    own, other = CompanyFactory(code="OWN"), CompanyFactory(code="OTHER")
    site = SiteFactory(company=own)
    SiteFactory(company=other)
    user = UserFactory(roles=["planner"], sites=[site])
    codes = [c["code"] for c in api_as(user).get(f"{API}/companies/").json()["results"]]
    assert codes == ["OWN"]
    assert Company.objects.count() == 2


@pytest.mark.django_db
def test_badge_ids_are_shown_to_admins_and_their_owner_only(api_as):
    from tests.factories import SiteFactory, UserFactory

    site = SiteFactory()
    supervisor = UserFactory(roles=["supervisor"], sites=[site], badge_id="B-SUP")
    operator = UserFactory(roles=["operator"], sites=[site], badge_id="B-OP")
    admin = UserFactory(roles=["admin"])

    seen_by_supervisor = {
        row["username"]: row for row in api_as(supervisor).get("/api/v1/core/users/").json()["results"]
    }
    seen_by_admin = {row["username"]: row for row in api_as(admin).get("/api/v1/core/users/").json()["results"]}

    assert "badge_id" not in seen_by_supervisor[operator.username]
    assert seen_by_supervisor[supervisor.username]["badge_id"] == "B-SUP"
    assert seen_by_admin[operator.username]["badge_id"] == "B-OP"
    assert api_as(operator).get("/api/v1/core/users/").status_code == 403


@pytest.mark.parametrize(
    ("field", "value"),
    [("unit_weight_kg", "-1"), ("unit_volume_l", "-2"), ("shelf_life_days", 99_999_999_999), ("shelf_life_days", 0)],
)
def test_item_api_refuses_values_outside_their_natural_range(admin_api, pcs, field, value):
    body = {"code": "RANGE-1", "name": "Range", "type": "raw", "base_unit": pcs.code, field: value}
    response = admin_api.post("/api/v1/core/items/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Item.objects.filter(code="RANGE-1").exists()


def test_database_refuses_a_negative_weight_written_past_the_forms(pcs):
    from django.db import IntegrityError, transaction

    item = ItemFactory(base_unit=pcs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=item.pk).update(unit_weight_kg=-1)
