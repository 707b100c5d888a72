"""The shop-floor kit's session rules: sign in by badge, sign out and switch user from any screen,
and an idle tablet signed out by the server."""

import time

import pytest
from django.urls import reverse

from core.floor.views import SEEN_KEY
from core.roles import sync_roles
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def roles():
    sync_roles()


@pytest.fixture
def worker():
    user = UserFactory(username="floor-1", roles=["warehouse"], sites=[SiteFactory(code="P1")], badge_id="B-77")
    user.set_password(PASSWORD)
    user.save()
    return user


SCREENS = [
    "tablet-home",
    "wms:tablet-move",
    "wms:tablet-receive",
    "wms:tablet-putaway",
    "wms:tablet-pick",
    "wms:tablet-count",
]


@pytest.mark.parametrize("screen", SCREENS)
def test_every_screen_offers_sign_out_and_switch_user(client, worker, screen):
    client.force_login(worker)
    page = client.get(reverse(screen)).content.decode()
    assert page.count(f'action="{reverse("floor-sign-out")}"') == 2
    assert "Switch user" in page and "Sign out" in page
    assert 'src="/static/js/floor.js"' in page and "<script>" not in page  # no inline script


def test_switch_user_signs_out_and_the_next_badge_lands_on_the_same_screen(client, worker):
    client.force_login(worker)
    screen = reverse("wms:tablet-move")
    response = client.post(reverse("floor-sign-out"), {"next": screen})
    assert response.status_code == 302 and response["Location"].startswith(reverse("floor-sign-in"))
    assert client.get(screen).status_code == 302  # signed out
    sign_in = client.get(response["Location"])
    assert "Badge or user name" in sign_in.content.decode()
    signed = client.post(response["Location"], {"username": "B-77", "password": PASSWORD, "next": screen})
    assert signed.status_code == 302 and signed["Location"] == screen
    assert client.get(screen).status_code == 200


def test_sign_out_refuses_a_foreign_next(client, worker):
    client.force_login(worker)
    response = client.post(reverse("floor-sign-out"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("floor-sign-in")


def test_sign_out_is_a_post(client, worker):
    client.force_login(worker)
    assert client.get(reverse("floor-sign-out")).status_code == 405


def test_an_idle_tablet_is_signed_out_by_the_server(client, worker, settings):
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 60
    client.force_login(worker)
    screen = reverse("wms:tablet-move")
    assert client.get(screen).status_code == 200
    session = client.session
    session[SEEN_KEY] = time.time() - 61
    session.save()
    response = client.get(screen)
    assert response.status_code == 302 and response["Location"].startswith(reverse("floor-sign-in"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "not used for a while" in page


def test_use_within_the_limit_keeps_the_session(client, worker, settings):
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 60
    client.force_login(worker)
    screen = reverse("wms:tablet-move")
    client.get(screen)
    session = client.session
    session[SEEN_KEY] = time.time() - 50
    session.save()
    assert client.get(reverse("floor-still-here")).json() == {"signed_in": True, "idle_seconds": 60}
    assert time.time() - client.session[SEEN_KEY] < 5
    assert client.get(screen).status_code == 200


def test_still_here_after_the_limit_says_signed_out(client, worker, settings):
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 60
    client.force_login(worker)
    client.get(reverse("wms:tablet-move"))
    session = client.session
    session[SEEN_KEY] = time.time() - 120
    session.save()
    assert client.get(reverse("floor-still-here")).status_code == 401


def test_the_countdown_is_configured_on_the_page(client, worker, settings):
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 90
    client.force_login(worker)
    page = client.get(reverse("tablet-home")).content.decode()
    assert 'data-idle-seconds="90"' in page
    settings.FLOOR_IDLE_SIGNOUT_SECONDS = 0
    assert "data-idle-seconds" not in client.get(reverse("tablet-home")).content.decode()
