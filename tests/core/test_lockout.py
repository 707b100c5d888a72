"""The sign-in lockout is per account: a forged or changing client address does not reset it,
user name and badge are one account, and wrong e-signature passwords count toward it."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import override_settings
from django.urls import reverse

from core.models import Event, Signature
from tests.factories import ItemFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_attempts")]

PASSWORD = "correct-horse-battery"
LOCKED = override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)


@pytest.fixture
def fresh_attempts():
    AccessAttempt.objects.all().delete()


@pytest.fixture
def worker():
    return UserFactory(username="wang", badge_id="0004711", roles=["admin"])


def _login(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


@LOCKED
def test_thirty_wrong_passwords_from_ever_new_addresses_lock_the_account(client, worker):
    # As daphne --proxy-headers made it: every request seemed to come from a new address.
    for n in range(30):
        _login(client, "wang", "bad", REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert _login(client, "wang", PASSWORD, REMOTE_ADDR="198.51.100.200").status_code == 429
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


@LOCKED
def test_a_forged_forwarded_for_does_not_spread_the_failures(client, worker):
    for n in range(30):
        _login(client, "wang", "bad", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert (
        _login(client, "wang", PASSWORD, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.1.1.1").status_code == 429
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_user_name_and_badge_are_one_account(client, worker):
    _login(client, "wang", "bad", REMOTE_ADDR="198.51.100.1")
    _login(client, "0004711", "bad", REMOTE_ADDR="198.51.100.2")
    _login(client, "wang", "bad", REMOTE_ADDR="198.51.100.3")
    assert _login(client, "0004711", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 429
    assert _login(client, "wang", PASSWORD, REMOTE_ADDR="198.51.100.5").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"wang"}


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_success_with_the_badge_clears_the_failures_with_the_user_name(client, worker):
    for _ in range(2):
        _login(client, "wang", "bad", REMOTE_ADDR="198.51.100.1")
    assert _login(client, "0004711", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        _login(client, "0004711", "bad", REMOTE_ADDR="198.51.100.1")
    assert _login(client, "wang", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302


# --- electronic signatures ----------------------------------------------------------------------


def _sign(client, item, password):
    return client.post(
        reverse("core:item-sign", args=[item.pk]),
        {"signature-password": password, "signature-meaning": "approved", "signature-reason": ""},
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_wrong_signature_passwords_lock_the_account_and_are_in_the_audit_trail(client, worker):
    item = ItemFactory()
    client.force_login(worker)
    for _ in range(3):
        assert _sign(client, item, "wrong").status_code == 400
    refused = _sign(client, item, PASSWORD)
    assert refused.status_code == 400 and "locked" in refused.content.decode()
    assert not Signature.objects.exists()
    assert Event.objects.filter(name="core.signature.failed", payload__user="wang").count() == 3
    assert AccessFailureLog.objects.filter(username="wang").count() == 3
    trail = client.get(reverse("core:item-detail", args=[item.pk])).content.decode()
    assert trail.count("signature refused") == 3
    client.post(reverse("logout"))
    assert _login(client, "wang", PASSWORD).status_code == 429


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_signature_failures_through_the_api_count_too(api_as):
    from tests.wms.factories import BinFactory
    from tests.wms.test_api_control import pending_task

    bin_ = BinFactory()
    site = bin_.warehouse.site
    counter = UserFactory(roles=["warehouse"], sites=[site])
    supervisor = UserFactory(username="boss", roles=["supervisor"], sites=[site])
    task = pending_task(api_as, bin_, site, counter)
    api = api_as(supervisor)
    for _ in range(3):
        assert api.post(f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": "nope"}).status_code == 403
    locked = api.post(f"/api/v1/wms/count-tasks/{task.pk}/approve/", {"password": PASSWORD})
    assert locked.status_code == 403 and locked.json()["code"] == "account_locked"
    task.refresh_from_db()
    assert task.status == "pending_approval"
    assert Event.objects.filter(name="core.signature.failed", payload__user="boss").count() == 3


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_good_signature_below_the_limit_is_accepted(client, worker):
    item = ItemFactory()
    client.force_login(worker)
    _sign(client, item, "wrong")
    assert _sign(client, item, PASSWORD).status_code == 302
    assert Signature.objects.filter(user=worker).count() == 1
