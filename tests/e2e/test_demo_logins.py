"""The demo logins of README.md: each person signs in and finds their own sites and pages."""

import pytest
from django.core.management import call_command

from core.demo import DEMO_PASSWORD, USERS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(base_url):
    call_command("seed_demo", verbosity=0)


def _switcher_sites(page) -> set[str]:
    options = page.locator("#site-switch option").all_inner_texts()
    return {text.split("·")[0].strip() for text in options}


# Where each role lands after signing in; everyone else lands on the start page.
LANDING = {
    "operator": "/floor/",
    "warehouse": "/floor/",
    "supervisor": "/mes/dashboard/",
    "planner": "/scheduling/",
    "quality": "/qms/",
}
# Menu entries a role has no use for, though its permissions would let it read them.
NOT_IN_MENU = {"operator": ["Exchange rates", "Companies", "Currencies", "KPIs"], "warehouse": ["Exchange rates"]}


def test_every_demo_user_lands_on_their_page_and_sees_only_their_sites_and_menu(demo, page, login, base_url):
    for username, first, last, roles, sites, _badge in USERS:
        login(page, username, DEMO_PASSWORD)
        role = next((str(r) for r in roles if str(r) in LANDING), None)
        assert page.url == base_url + LANDING.get(role, "/"), username
        page.goto("/?desk=1")
        assert page.locator(".session .who").inner_text().strip() == f"{first} {last}", username
        assert _switcher_sites(page) == set(sites), username
        menu = page.locator("nav.modules").inner_text()
        for role_name in map(str, roles):
            for entry in NOT_IN_MENU.get(role_name, []):
                assert entry not in menu, (username, entry)


def test_a_badge_scan_signs_the_operator_in(demo, page, login):
    login(page, "B-SZ-1001", DEMO_PASSWORD)
    assert page.url.endswith("/floor/")
    page.goto("/?desk=1")
    assert _switcher_sites(page) == {"SZ"}


def test_the_operator_sees_only_their_plants_bins(demo, page, login):
    login(page, "operator", DEMO_PASSWORD)
    page.goto("/wms/bins/")
    text = page.locator("main").inner_text()
    assert "SZ1-A-01-1-01" in text
    assert "MTY1-" not in text


def test_only_the_admin_reaches_administration(demo, page, login):
    login(page, "operator", DEMO_PASSWORD)
    page.goto("/admin/")
    assert "/admin/login/" in page.url
    assert page.get_by_text("Site administration").count() == 0

    login(page, "admin", DEMO_PASSWORD)
    assert _switcher_sites(page) == {"SZ", "MTY"}
    page.goto("/admin/")
    assert page.get_by_text("Site administration").count() == 1


def test_the_operator_reads_items_but_only_the_planner_creates_them(demo, page, login):
    login(page, "operator", DEMO_PASSWORD)
    page.goto("/core/items/")
    assert page.get_by_text("R32", exact=True).count() >= 1
    assert page.get_by_role("link", name="+ New item").count() == 0
    assert page.goto("/core/items/new/").status == 403

    login(page, "planner", DEMO_PASSWORD)
    page.goto("/core/items/")
    page.get_by_role("link", name="+ New item").click()
    assert page.url.endswith("/core/items/new/")


def test_the_operator_gets_the_shop_floor_and_no_item_editing(demo, page, login):
    login(page, "operator", DEMO_PASSWORD)
    assert page.get_by_role("link", name="Shop floor").count() == 1
    response = page.goto("/api/v1/core/items/", wait_until="domcontentloaded")
    assert response.status == 200
    created = page.evaluate(
        """async () => {
            const csrf = document.cookie.split('; ').find(c => c.startsWith('csrftoken='))?.split('=')[1];
            const r = await fetch('/api/v1/core/items/', {method: 'POST', headers: {'Content-Type': 'application/json',
                'X-CSRFToken': csrf}, body: JSON.stringify({code: 'X-1', name: 'x', type: 'raw', base_unit: 'pcs'})});
            return r.status;
        }"""
    )
    assert created == 403
