"""Master-data web pages: lists, filters, detail with audit trail, forms through the services."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import Item, Partner, Site, UnitConversion, User, Webhook
from core.services.signatures import sign
from tests.factories import (
    CompanyFactory,
    CurrencyFactory,
    ItemFactory,
    PartnerFactory,
    SiteFactory,
    UnitFactory,
    UserFactory,
    kg,
)

pytestmark = pytest.mark.django_db

PAGES = ["item", "partner", "site", "company", "unit", "currency", "exchangerate", "user", "webhook"]


@pytest.fixture
def admin():
    return UserFactory(username="admin1", first_name="Ada", last_name="Admin", roles=["admin"])


@pytest.fixture
def pcs():
    return UnitFactory()


def item_data(**overrides):
    data = {
        "code": "CMP-100",
        "name": "Scroll compressor",
        "description": "",
        "type": "finished",
        "base_unit": UnitFactory().pk,
        "tracking": "serial",
        "shelf_life_days": "",
        "abc_class": "A",
        "standard_cost": "120.50",
        "hazard_class": "",
        "temperature_class": "ambient",
        "unit_weight_kg": "18.5",
        "unit_volume_l": "30",
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", PAGES)
def test_every_list_and_create_page_renders_for_admin(web_as, admin, name):
    client = web_as(admin)
    listing = client.get(reverse(f"core:{name}-list"))
    assert listing.status_code == 200
    assert reverse(f"core:{name}-create") in listing.content.decode()
    assert client.get(reverse(f"core:{name}-create")).status_code == 200


def test_nav_links_resolve(web_as, admin):
    html = web_as(admin).get(reverse("home")).content.decode()
    for name in PAGES:
        assert reverse(f"core:{name}-list") in html


def test_admin_creates_item_through_the_form(web_as, admin):
    client = web_as(admin)
    response = client.post(reverse("core:item-create"), item_data())
    item = Item.objects.get(code="CMP-100")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:item-detail", args=[item.pk])
    assert item.standard_cost == Decimal("120.50")
    assert item.history.get().history_user == admin
    listing = client.get(reverse("core:item-list"), {"q": "scroll"}).content.decode()
    assert "CMP-100" in listing


def test_form_errors_are_shown_and_nothing_is_saved(web_as, admin):
    ItemFactory(code="DUP")
    response = web_as(admin).post(reverse("core:item-create"), item_data(code="DUP", standard_cost="-3"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "has-error" in html
    assert response.context["form"].errors.keys() >= {"code", "standard_cost"}
    assert Item.objects.filter(code="DUP").count() == 1


def test_edit_page_updates_through_service_and_shows_the_change_in_the_audit_trail(web_as, admin, pcs):
    item = ItemFactory(code="EDIT-1", name="Old name")
    client = web_as(admin)
    data = item_data(code="EDIT-1", name="New name", base_unit=pcs.pk)
    assert client.post(reverse("core:item-edit", args=[item.pk]), data).status_code == 302
    item.refresh_from_db()
    assert item.name == "New name"
    assert item.history.order_by("-history_date").first().history_user == admin
    html = client.get(reverse("core:item-detail", args=[item.pk])).content.decode()
    assert "Audit trail" in html
    assert "Old name" in html and "New name" in html
    assert "Ada Admin" in html


def test_list_filters_search_and_pagination(web_as, admin, pcs):
    for n in range(55):
        ItemFactory(code=f"RAW-{n:03d}", type="raw")
    ItemFactory(code="FG-001", type="finished")
    client = web_as(admin)
    first = client.get(reverse("core:item-list"))
    assert first.context["page_obj"].paginator.count == 56
    assert len(first.context["rows"]) == 50
    second = client.get(reverse("core:item-list"), {"page": 2})
    assert len(second.context["rows"]) == 6
    finished = client.get(reverse("core:item-list"), {"type": "finished"})
    assert [row["cells"][0]["value"] for row in finished.context["rows"]] == ["FG-001"]
    searched = client.get(reverse("core:item-list"), {"q": "raw-05"})
    assert searched.context["page_obj"].paginator.count == 5
    ordered = client.get(reverse("core:item-list"), {"sort": "-code"})
    assert ordered.context["rows"][0]["cells"][0]["value"] == "RAW-054"


def test_operator_sees_items_but_no_edit_buttons_and_cannot_post(web_as, pcs):
    operator = UserFactory(roles=["operator"])
    item = ItemFactory()
    client = web_as(operator)
    listing = client.get(reverse("core:item-list")).content.decode()
    assert reverse("core:item-create") not in listing
    detail = client.get(reverse("core:item-detail", args=[item.pk])).content.decode()
    assert reverse("core:item-edit", args=[item.pk]) not in detail
    assert reverse("core:item-delete", args=[item.pk]) not in detail
    assert client.get(reverse("core:item-create")).status_code == 403
    assert client.post(reverse("core:item-create"), item_data(code="NOPE")).status_code == 403
    assert not Item.objects.filter(code="NOPE").exists()
    assert client.post(reverse("core:item-delete", args=[item.pk])).status_code == 403


def test_user_without_role_gets_403_on_lists(web_as):
    assert web_as(UserFactory()).get(reverse("core:item-list")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("core:item-list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_site_form_rejects_unknown_time_zone(web_as, admin):
    company = CompanyFactory()
    response = web_as(admin).post(
        reverse("core:site-create"), {"code": "P5", "name": "Plant 5", "company": company.pk, "time_zone": "Mars/Base"}
    )
    assert response.status_code == 400
    assert "time_zone" in response.context["form"].errors
    assert not Site.objects.filter(code="P5").exists()


def test_partner_form_requires_customer_or_supplier(web_as, admin):
    currency = CurrencyFactory()
    response = web_as(admin).post(
        reverse("core:partner-create"),
        {"code": "NB", "name": "Nobody", "currency": currency.pk, "payment_terms_days": 30},
    )
    assert response.status_code == 400
    assert "customer, a supplier or both" in response.content.decode()
    assert not Partner.objects.filter(code="NB").exists()


def test_delete_refuses_a_record_in_use(web_as, admin, pcs):
    ItemFactory(base_unit=pcs)
    client = web_as(admin)
    response = client.post(reverse("core:unit-delete", args=[pcs.pk]), follow=True)
    assert "in use" in response.content.decode()
    assert pcs.__class__.objects.filter(pk=pcs.pk).exists()


def test_delete_removes_an_unused_record(web_as, admin):
    partner = PartnerFactory()
    response = web_as(admin).post(reverse("core:partner-delete", args=[partner.pk]))
    assert response.status_code == 302
    assert not Partner.objects.filter(pk=partner.pk).exists()


# --- item unit conversions ---------------------------------------------------------------------


def test_item_page_adds_changes_and_removes_a_pack_conversion(web_as, admin, pcs):
    item = ItemFactory(code="SCREW", base_unit=pcs)
    box = UnitFactory(code="box", name="box", dimension="count")
    client = web_as(admin)
    url = reverse("core:item-conversion-save", args=[item.pk])
    client.post(url, {"unit": box.pk, "factor": "50"})
    assert item.unit_conversions.get().factor == Decimal("50")
    client.post(url, {"unit": box.pk, "factor": "100"})
    conversion = item.unit_conversions.get()
    assert conversion.factor == Decimal("100")
    html = client.get(reverse("core:item-detail", args=[item.pk])).content.decode()
    assert "1 box" in html and "100 pcs" in html
    client.post(reverse("core:item-conversion-delete", args=[item.pk, conversion.pk]))
    assert not UnitConversion.objects.filter(item=item).exists()


def test_conversion_factor_must_be_positive(web_as, admin, pcs):
    item = ItemFactory(base_unit=pcs)
    response = web_as(admin).post(
        reverse("core:item-conversion-save", args=[item.pk]), {"unit": kg().pk, "factor": "0"}, follow=True
    )
    assert "greater than zero" in response.content.decode()
    assert not item.unit_conversions.exists()


def test_operator_cannot_add_conversions(web_as, pcs):
    item = ItemFactory(base_unit=pcs)
    response = web_as(UserFactory(roles=["operator"])).post(
        reverse("core:item-conversion-save", args=[item.pk]), {"unit": kg().pk, "factor": "2"}
    )
    assert response.status_code == 403
    assert not item.unit_conversions.exists()


# --- users ------------------------------------------------------------------------------------


def test_admin_creates_user_with_roles_sites_badge_and_password(web_as, admin):
    p1, p2 = SiteFactory(code="P1"), SiteFactory(code="P2")
    response = web_as(admin).post(
        reverse("core:user-create"),
        {
            "username": "zhang.wei",
            "first_name": "Wei",
            "last_name": "Zhang",
            "badge_id": "B-7",
            "roles": ["operator", "warehouse"],
            "sites": [p2.pk],
            "password": "Long-enough-pass-1",
            "password_again": "Long-enough-pass-1",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="zhang.wei")
    assert user.roles == ["operator", "warehouse"]
    assert list(user.sites.all()) == [p2]
    assert user.badge_id == "B-7"
    assert user.check_password("Long-enough-pass-1")
    assert p1 not in user.sites.all()


def test_user_form_refuses_weak_or_mismatched_password(web_as, admin):
    client = web_as(admin)
    weak = client.post(reverse("core:user-create"), {"username": "w1", "password": "123", "password_again": "123"})
    assert "password" in weak.context["form"].errors
    mismatch = client.post(
        reverse("core:user-create"),
        {"username": "w2", "password": "Long-enough-pass-1", "password_again": "Long-enough-pass-2"},
    )
    assert "password_again" in mismatch.context["form"].errors
    assert not User.objects.filter(username__in=["w1", "w2"]).exists()


def test_user_edit_keeps_password_when_left_empty_and_audits_role_change(web_as, admin):
    worker = UserFactory(username="keeper", roles=["operator"])
    client = web_as(admin)
    response = client.post(
        reverse("core:user-edit", args=[worker.pk]),
        {"username": "keeper", "roles": ["supervisor"], "is_active": "on", "first_name": "Kee"},
    )
    assert response.status_code == 302
    worker = User.objects.get(pk=worker.pk)
    assert worker.roles == ["supervisor"]
    assert worker.check_password("correct-horse-battery")
    assert worker.history.order_by("-history_date").first().history_user == admin


def test_deactivating_a_user(web_as, admin):
    worker = UserFactory(username="gone")
    web_as(admin).post(reverse("core:user-delete", args=[worker.pk]))
    worker.refresh_from_db()
    assert worker.is_active is False


def test_own_api_token_is_shown_once_and_rotates(web_as):
    me = UserFactory(roles=["operator"])
    client = web_as(me)
    first = client.post(reverse("core:my-token"))
    key = first.context["new_key"]
    assert key in first.content.decode()
    again = client.get(reverse("core:my-token"))
    assert key not in again.content.decode()
    rotated = client.post(reverse("core:my-token")).context["new_key"]
    assert rotated != key
    from rest_framework.authtoken.models import Token

    assert list(Token.objects.filter(user=me).values_list("key", flat=True)) == [rotated]


def test_webhook_secret_is_kept_when_left_empty(web_as, admin):
    client = web_as(admin)
    client.post(
        reverse("core:webhook-create"),
        {
            "name": "ERP",
            "url": "https://erp.example.com/in",
            "secret": "x" * 20,
            "events": "wms.*\nmes.*",
            "active": "on",
        },
    )
    hook = Webhook.objects.get()
    assert hook.events == ["wms.*", "mes.*"]
    client.post(
        reverse("core:webhook-edit", args=[hook.pk]),
        {"name": "ERP 2", "url": "https://erp.example.com/in", "secret": "", "events": "", "active": "on"},
    )
    hook.refresh_from_db()
    assert hook.name == "ERP 2"
    assert hook.secret == "x" * 20
    detail = client.get(reverse("core:webhook-detail", args=[hook.pk])).content.decode()
    assert "x" * 20 not in detail


# --- e-signature page -------------------------------------------------------------------------


def test_signing_a_record_from_its_page(web_as, admin, pcs):
    item = ItemFactory(code="SIGN-1")
    client = web_as(admin)
    assert client.get(reverse("core:item-sign", args=[item.pk])).status_code == 200
    response = client.post(
        reverse("core:item-sign", args=[item.pk]),
        {"signature-password": "correct-horse-battery", "signature-meaning": "reviewed", "signature-comment": "ok"},
    )
    assert response.status_code == 302
    html = client.get(reverse("core:item-detail", args=[item.pk])).content.decode()
    assert "Electronic signatures" in html
    assert "Reviewed" in html


def test_wrong_password_shows_a_form_error_and_signs_nothing(web_as, admin, pcs):
    from core.models import Signature

    item = ItemFactory(code="SIGN-2")
    response = web_as(admin).post(
        reverse("core:item-sign", args=[item.pk]),
        {"signature-password": "wrong", "signature-meaning": "approved"},
    )
    assert response.status_code == 400
    assert "password is not correct" in response.content.decode()
    assert "password" in response.context["signature_form"].errors
    assert not Signature.objects.exists()


def test_audit_trail_shows_signature_beside_its_change(web_as, admin, pcs):
    item = ItemFactory(code="SIGN-3")
    sign(user=admin, password="correct-horse-battery", meaning="approved", record=item, reason="first article ok")
    html = web_as(admin).get(reverse("core:item-detail", args=[item.pk])).content.decode()
    assert "Signed by Ada Admin: Approved" in html
    assert "first article ok" in html


def test_webhook_page_lists_its_deliveries(web_as, admin):
    from core.events import publish

    hook = Webhook.objects.create(name="ERP", url="https://erp.example.com/in", secret="x" * 20, events=["core.*"])
    publish("core.item.created", {"code": "X"}, live=False)
    html = web_as(admin).get(reverse("core:webhook-detail", args=[hook.pk])).content.decode()
    assert "Latest deliveries" in html
    assert "core.item.created" in html


@pytest.mark.parametrize(("name", "make"), [("item", ItemFactory), ("user", UserFactory), ("partner", PartnerFactory)])
def test_list_pages_do_not_query_per_row(web_as, admin, django_assert_max_num_queries, name, make):
    site = SiteFactory()
    for n in range(30):
        record = make(code=f"Q{n:03d}") if name != "user" else make(username=f"q{n:03d}", roles=["operator"])
        if name == "user":
            record.sites.add(site)
    client = web_as(admin)
    client.get(reverse(f"core:{name}-list"))  # warm the session and permission caches
    with django_assert_max_num_queries(20):
        response = client.get(reverse(f"core:{name}-list"))
    assert len(response.context["rows"]) >= 30


def test_site_switch_and_shell_names_stay_unnamespaced(web_as):
    p1, p2 = SiteFactory(code="P1"), SiteFactory(code="P2")
    worker = UserFactory(roles=["operator"], sites=[p1, p2])
    client = web_as(worker)
    for name in ("home", "tablet-home", "login"):
        assert client.get(reverse(name)).status_code in (200, 302)
    client.post(reverse("set-site"), {"site": "P2"})
    assert client.get(reverse("home"), follow=True).context["current_site"] == p2


@pytest.mark.parametrize("name", PAGES)
def test_garbage_search_sort_and_page_still_show_the_list(web_as, admin, name):
    """An unknown sort and a page past the end show the list; a NUL byte (the database refuses
    it) is refused with a message."""
    client = web_as(admin)
    response = client.get(reverse(f"core:{name}-list"), {"q": "abc", "sort": "nope", "page": "99999999999999999999"})
    assert response.status_code == 200
    refused = client.get(reverse(f"core:{name}-list"), {"q": "ab\x00c", "sort": "\x00"})
    assert refused.status_code == 400
    assert "NUL" in refused.content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unit_weight_kg", "-1"),
        ("unit_volume_l", "-2"),
        ("shelf_life_days", "99999999999"),
        ("shelf_life_days", "0"),
    ],
)
def test_item_form_refuses_values_outside_their_natural_range(web_as, admin, field, value):
    response = web_as(admin).post(reverse("core:item-create"), item_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Item.objects.filter(code="CMP-100").exists()


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("operator", "tablet-home"),
        ("warehouse", "tablet-home"),
        ("supervisor", "mes:dashboard"),
        ("planner", "scheduling:version-list"),
        ("quality", "qms:dashboard"),
        ("accountant", None),
    ],
)
def test_each_role_lands_on_its_own_page(web_as, role, landing):
    user = UserFactory(roles=[role], sites=[SiteFactory(code="P1")])
    response = web_as(user).get(reverse("home"))
    if landing is None:
        assert response.status_code == 200 and "Welcome" in response.content.decode()
    else:
        assert response.status_code == 302 and response["Location"] == reverse(landing)
    assert web_as(user).get(reverse("home"), {"desk": "1"}).status_code == 200


@pytest.mark.parametrize(
    ("role", "hidden", "shown"),
    [
        ("operator", ["Exchange rates", "Companies", "Currencies", "KPIs"], ["Items", "Stock"]),
        ("warehouse", ["Exchange rates", "Companies"], ["KPIs", "Stock"]),
        ("accountant", [], ["Exchange rates", "Companies", "Currencies"]),
        ("supervisor", [], ["KPIs", "Exchange rates"]),
    ],
)
def test_the_menu_shows_what_the_role_uses(web_as, role, hidden, shown):
    user = UserFactory(roles=[role], sites=[SiteFactory(code="P1")])
    page = web_as(user).get(reverse("home"), {"desk": "1"}).content.decode()
    menu = page[page.index('<nav class="modules"') : page.index("</nav>")]
    for label in hidden:
        assert f">{label}<" not in menu, label
    for label in shown:
        assert f">{label}<" in menu, label
