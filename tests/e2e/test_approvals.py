"""A supervisor on a phone (390x844) receives a count variance live in the approvals inbox,
approves it with the e-signature, and the count is booked.

Live pushes need websockets, which pytest-django's live server does not speak: the journey runs
against daphne (config.asgi) started on the test database, with the same Redis channel layer as
this process, so the outbox delivery of the count's request reaches the open page.
"""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from core.roles import sync_roles
from tests.core.conftest import PASSWORD, CountPlant
from tests.e2e.conftest import ARTIFACTS
from wms.models import CountStatus, CountTask

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def plant(transactional_db):
    sync_roles()
    return CountPlant(code="AE")


@pytest.fixture
def asgi_url(transactional_db):
    """daphne serving config.asgi on the test database; stopped after the test."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.e2e.asgi_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
    }
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                break
        except OSError:  # not listening yet, or still starting
            time.sleep(0.3)
    assert server.poll() is None, server.stdout.read()
    yield base
    server.terminate()
    server.wait(timeout=20)


def _in_thread(function):
    """Run `function` in a thread of its own: the outbox's push after commit goes through
    async_to_sync, which cannot run in the thread where Playwright's event loop lives."""
    result = {}

    def run():
        try:
            result["value"] = function()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result["value"]


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"approvals-{name}.png"), full_page=True)


def test_supervisor_gets_the_push_and_approves_with_the_signature_on_a_phone(plant, asgi_url, browser, login):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=asgi_url, locale="en-US", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, plant.supervisor)
    page.goto("/core/approvals/")
    assert "Nothing waits for your decision." in page.inner_text("#approval-cards")
    page.wait_for_function("() => true")
    time.sleep(1.0)  # the page's websocket subscribes after load

    task, request = _in_thread(plant.pending)

    card = page.locator(f"#approval-{request.pk}")
    card.wait_for()
    assert "Count variance of" in card.inner_text() and "-40 pcs" in card.inner_text()
    page.locator("#approval-badge .count").filter(has_text="1").wait_for()
    _shot(page, "phone-pending")

    card.get_by_role("button", name="Approve").tap()
    card.get_by_label("Your password").fill(PASSWORD)
    _shot(page, "phone-signing")
    card.get_by_role("button", name="Sign and approve").tap()

    # The card is answered by the decision, or by the live refresh its own event brings.
    page.locator(f"#approval-{request.pk} .approval-outcome").filter(has_text="Approved by you").wait_for()
    page.locator("#approval-badge .count").wait_for(state="detached")  # the badge follows
    task = CountTask.objects.get(pk=task.pk)
    assert task.status == CountStatus.POSTED
    assert task.approved_by == plant.supervisor
    context.close()


def test_the_inbox_on_desk_tablet_and_phone_screens(plant, asgi_url, browser, login):
    for counted in ("60", "0", "130"):
        _in_thread(lambda c=counted: plant.pending(counted=c))
    for size, name in (((1920, 1080), "desk"), ((1280, 800), "tablet"), ((390, 844), "phone-list")):
        viewport = {"width": size[0], "height": size[1]}
        context = browser.new_context(viewport=viewport, base_url=asgi_url, locale="en-US")
        page = context.new_page()
        login(page, plant.supervisor)
        page.goto("/core/approvals/")
        assert page.locator(".approval-card").count() == 3
        assert "Urgent" in page.locator(".approval-card").first.inner_text()  # the 1000 variance first
        page.get_by_text("Away? Let a colleague decide in your place").click()
        assert page.get_by_label("Decides in my place").is_visible()
        page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar at the top of the picture
        _shot(page, name)
        context.close()
