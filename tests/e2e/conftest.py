"""Browser journeys: Playwright's sync API driving Debian's Chromium against pytest-django's
live_server. Tests here are marked `e2e` and need `transaction=True` database access (the server
thread must see what the test writes), which `page` brings with it.

Fixtures: `browser` (a Chromium per test), `page` (1280x800, a screenshot in test-artifacts/
when the test fails), `base_url` (the live server) and `login(page, user)`.

While Playwright runs, its event loop lives in the test's thread, and work that hands off to
async code (the outbox pushing live updates after commit) cannot run there. So create a test's
data in fixtures listed before `page` (as `demo` does in test_demo_logins.py), not after.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory

# Playwright's sync API keeps an event loop in the main thread, which makes Django refuse ORM
# calls from the test body ("cannot call this from an async context"). The test body is plain
# synchronous code, so the check does not apply here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -r requirements-dev.txt)")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def base_url(live_server, transactional_db):
    return live_server.url


@pytest.fixture
def page(browser, base_url, request):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base_url, locale="en-US")
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def login():
    """`login(page, user, password=...)`: sign in through the login form, as a person would."""

    def sign_in(page, user, password: str = DEFAULT_PASSWORD):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("input[name=username]", user.username if hasattr(user, "username") else str(user))
        page.fill("input[name=password]", password)
        page.locator("form").filter(has=page.locator("input[name=password]")).locator(
            "button[type=submit], input[type=submit]"
        ).first.click()
        page.wait_for_load_state()
        if "/accounts/login/" in page.url:
            raise AssertionError(f"{user} could not sign in: still on the login page")
        return page

    return sign_in
