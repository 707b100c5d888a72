"""Signing in: user name or scanned badge with the password, and lockout after repeated failures."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def worker():
    return UserFactory(username="wang", badge_id="0004711", roles=["operator"])


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "badge" in response.content.decode().lower()


def test_sign_in_with_user_name(client, worker):
    response = client.post(reverse("login"), {"username": "wang", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).context["user"] == worker


def test_sign_in_with_scanned_badge(client, worker):
    response = client.post(reverse("login"), {"username": " 0004711".strip(), "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).context["user"] == worker


def test_badge_still_needs_the_password(client, worker):
    response = client.post(reverse("login"), {"username": "0004711", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not response.wsgi_request.user.is_authenticated


def test_inactive_user_cannot_sign_in(client, worker):
    worker.is_active = False
    worker.save()
    client.post(reverse("login"), {"username": "wang", "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 302


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AXES_LOCKOUT_TEMPLATE="registration/locked_out.html")
def test_repeated_failures_lock_the_account_with_a_clear_page(client, worker):
    AccessAttempt.objects.all().delete()
    for _ in range(2):
        assert client.post(reverse("login"), {"username": "wang", "password": "bad"}).status_code == 200
    locked = client.post(reverse("login"), {"username": "wang", "password": "bad"})
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Sign-in blocked" in html
    assert "3 failed sign-in attempts" in html
    # even the right password is refused while locked
    again = client.post(reverse("login"), {"username": "wang", "password": PASSWORD})
    assert again.status_code == 429
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_success_resets_the_failure_count(client, worker):
    AccessAttempt.objects.all().delete()
    for _ in range(2):
        client.post(reverse("login"), {"username": "wang", "password": "bad"})
    assert client.post(reverse("login"), {"username": "wang", "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        client.post(reverse("login"), {"username": "wang", "password": "bad"})
    assert client.post(reverse("login"), {"username": "wang", "password": PASSWORD}).status_code == 302


def test_logout(client, worker):
    client.force_login(worker)
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_refused_sign_in_names_the_badge_too(client, worker):
    response = client.post(reverse("login"), {"username": "0004711", "password": "nope"})
    errors = " ".join(response.context["form"].non_field_errors())
    assert "badge" in errors and "correct username" not in errors
