"""The Content-Security-Policy as Chromium enforces it: the desk and tablet pages work with no
inline script, and the browser reports no violation."""

import pytest
from django.core.management import call_command

from core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESK_PAGES = [
    "/",
    "/wms/",
    "/wms/stock/",
    "/wms/lots/",
    "/wms/moves/new/",
    "/wms/receipts/",
    "/wms/pick-lists/",
    "/wms/kpis/",
    "/core/items/",
    "/core/users/",
    "/api/docs/",
]
TABLET_PAGES = ["/floor/", "/wms/floor/move/", "/wms/floor/receive/", "/wms/floor/putaway/", "/wms/floor/pick/"]


@pytest.fixture
def demo(base_url):
    call_command("seed_demo", verbosity=0)


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and ("Content Security Policy" in message.text or "Refused" in message.text)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.parametrize("username, pages", [("admin", DESK_PAGES), ("warehouse", TABLET_PAGES)])
def test_pages_pass_the_policy(demo, page, login, username, pages):
    problems = _watch(page)
    page.set_default_timeout(60_000)  # plotly.js is 4 MB through the test server
    login(page, username, DEMO_PASSWORD)
    for url in pages:
        response = page.goto(url)
        page.wait_for_load_state("networkidle")
        assert response.status < 400, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
        assert not problems, (url, problems)


def test_charts_formset_switchers_and_confirmations_work_without_inline_script(demo, page, login):
    problems = _watch(page)
    page.set_default_timeout(60_000)
    login(page, "admin", DEMO_PASSWORD)

    page.goto("/wms/kpis/")
    page.wait_for_selector("[data-plotly] .main-svg")
    assert page.locator("[data-plotly] .main-svg").count() >= 2

    page.goto("/wms/receipts/new/")
    rows = page.locator("table.lines-table tbody tr").count()
    page.click("[data-add-line]")
    assert page.locator("table.lines-table tbody tr").count() == rows + 1

    page.goto("/core/items/")
    with page.expect_navigation():  # the switcher submits its form: wait for the new page
        page.select_option("#lang-switch", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    with page.expect_navigation():  # the switcher submits its form: wait for the new page
        page.select_option("#lang-switch", "en")

    with page.expect_navigation():  # the switcher submits its form: wait for the new page
        page.select_option("#site-switch", index=1)
    chosen = page.locator("#site-switch option:checked").inner_text()
    assert chosen.startswith("SZ") or chosen.startswith("MTY")

    asked: list[str] = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.goto("/wms/kpis/")
    button = page.locator("form[data-confirm] button[type=submit]")
    if button.count():
        button.first.click()
        page.wait_for_timeout(300)
        assert asked and "/wms/kpis/" in page.url  # dismissed: nothing was sent
    assert not problems, problems
