"""The request edge as an attacker meets it: forged proxy headers, hostile JSON, NUL bytes, bodies
over the limit, a cache that is down, badge ids, tokens after a password change, /readyz and the
Content-Security-Policy."""

import json
import re
import socket

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.security import resolve_client_ip
from core.services.users import issue_token, update_user
from tests.factories import ItemFactory, SiteFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def admin():
    return UserFactory(username="root1", roles=["admin"])


# --- trusted proxies ----------------------------------------------------------------------------


@override_settings(METRICS_ALLOWED_IPS=["10.9.9.9"])
def test_forged_forwarded_for_from_an_untrusted_address_does_not_pass_the_metrics_allowlist(client):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 403


@override_settings(METRICS_ALLOWED_IPS=["10.9.9.9"], TRUSTED_PROXIES=["10.0.0.0/24"])
def test_a_trusted_proxy_names_the_client_and_a_forged_leftmost_hop_is_ignored(client):
    via_proxy = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert via_proxy.status_code == 200
    # The client wrote "10.9.9.9" itself; the proxy appended the address it really came from.
    forged = client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7")
    assert forged.status_code == 403


@pytest.mark.parametrize(
    "peer, forwarded, trusted, expected",
    [
        ("203.0.113.5", "10.9.9.9", [], "203.0.113.5"),
        ("203.0.113.5", "10.9.9.9", ["10.0.0.0/8"], "203.0.113.5"),
        ("10.0.0.2", "198.51.100.7", ["10.0.0.2"], "198.51.100.7"),
        ("10.0.0.2", "1.1.1.1, 198.51.100.7, 10.0.0.9", ["10.0.0.0/24"], "198.51.100.7"),
        ("10.0.0.2", "not-an-address", ["10.0.0.0/24"], "10.0.0.2"),
        ("10.0.0.2", "", ["10.0.0.0/24"], "10.0.0.2"),
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    ],
)
def test_client_address_walks_the_chain_from_the_right(settings, peer, forwarded, trusted, expected):
    settings.TRUSTED_PROXIES = trusted
    assert resolve_client_ip({"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}) == expected


def test_https_is_believed_only_from_a_trusted_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    forged = client.get("/accounts/login/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert forged.status_code == 301
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    proxied = client.get("/accounts/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200


# --- the input edge -----------------------------------------------------------------------------


def _write_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method in ("post", "put", "patch"):
            if method in operations and "requestBody" in operations[method]:
                yield method, path


def test_json_nested_a_thousand_deep_is_a_400_on_every_json_write_endpoint(admin):
    api = APIClient()
    api.force_authenticate(admin)
    body = "[" * 1000 + "]" * 1000
    deep_object = '{"a":' * 1000 + "1" + "}" * 1000
    operations = list(_write_operations())
    assert len(operations) >= 10
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", "1", path)
        for payload in (body, deep_object):
            response = getattr(api, method)(url, data=payload, content_type="application/json")
            assert response.status_code < 500, (method, path, response.status_code)
            if "{" not in path:  # no record to find first: the body is what is refused
                assert response.status_code == 400, (method, path, response.content[:200])
                assert "nested" in response.json()["detail"]


def test_a_lone_surrogate_in_a_choice_field_is_a_400_with_a_safe_message(admin):
    api = APIClient()
    api.force_authenticate(admin)
    body = json.dumps({"code": "X1", "name": "x", "type": "\ud800", "base_unit": UnitFactory().code})
    response = api.post("/api/v1/core/items/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "Unicode" in response.json()["detail"]
    users = api.post(
        "/api/v1/core/users/", data=json.dumps({"username": "z", "roles": ["\udfff"]}), content_type="application/json"
    )
    assert users.status_code == 400


@pytest.mark.parametrize("params", [{"site": "P1\x00"}, {"item": "\x00"}, {"site": "P1", "item": "A\x00B"}])
def test_nul_in_a_query_parameter_is_a_400(admin, params):
    api = APIClient()
    api.force_authenticate(admin)
    response = api.get("/api/v1/wms/on-hand/", params)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    for url in ("/api/v1/wms/stock/", "/api/v1/core/items/", "/api/v1/wms/moves/"):
        assert api.get(url, params).status_code == 400


def test_nul_in_a_page_filter_is_a_400_with_a_message(client, admin):
    client.force_login(admin)
    response = client.get(reverse("wms:stock"), {"item": "\x00"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2000)
def test_a_body_over_the_limit_is_a_json_413_naming_the_limit(admin):
    api = APIClient()
    api.force_authenticate(admin)
    big = json.dumps({"code": "X", "name": "n" * 5000})
    response = api.post("/api/v1/core/items/", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": response.json()["detail"], "code": "request_too_large", "limit": 2000}


@override_settings(MAX_DOCUMENT_LINES=3)
def test_an_expected_receipt_over_the_line_cap_is_refused_before_its_lines_are_read(admin):
    api = APIClient()
    api.force_authenticate(admin)
    site = SiteFactory()
    item = ItemFactory()
    line = {"item": item.code, "quantity": "1"}
    response = api.post("/api/v1/wms/expected-receipts/", {"site": site.code, "lines": [line] * 4}, format="json")
    assert response.status_code == 400
    assert "at most 3 lines" in json.dumps(response.json()["lines"])
    picks = api.post(
        "/api/v1/wms/pick-lists/", {"site": site.code, "purpose": "shipment", "lines": [line] * 4}, format="json"
    )
    assert picks.status_code == 400 and "at most 3 lines" in json.dumps(picks.json()["lines"])
    within = api.post("/api/v1/wms/expected-receipts/", {"site": site.code, "lines": [line] * 3}, format="json")
    assert within.status_code == 201, within.content


def test_schema_and_docs_answer_when_the_throttle_cache_is_down(client, monkeypatch):
    from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

    from core.api.throttling import AnonRateThrottle

    for view in (SpectacularAPIView, SpectacularSwaggerSplitView):
        monkeypatch.setattr(view, "throttle_classes", [AnonRateThrottle])
    dead = f"redis://127.0.0.1:{_closed_port()}/0"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": dead}}
    ):
        assert client.get("/api/schema/").status_code == 200
        assert client.get("/api/docs/").status_code == 200
        assert client.get("/api/docs/", {"script": ""}).status_code == 200


# --- badge ids ----------------------------------------------------------------------------------


@pytest.fixture
def people():
    site = SiteFactory()
    supervisor = UserFactory(username="sup", roles=["supervisor"], sites=[site], badge_id="B-SUP-1")
    worker = UserFactory(username="wh", roles=["warehouse"], sites=[site], badge_id="B-SZ-1005")
    return supervisor, worker


def test_badge_ids_are_hidden_on_the_user_pages_from_a_supervisor(client, people, admin):
    supervisor, worker = people
    client.force_login(supervisor)
    listing = client.get(reverse("core:user-list")).content.decode()
    detail = client.get(reverse("core:user-detail", args=[worker.pk])).content.decode()
    assert "wh" in listing and "B-SZ-1005" not in listing and "B-SZ-1005" not in detail
    assert "B-SUP-1" in client.get(reverse("core:user-detail", args=[supervisor.pk])).content.decode()
    found = client.get(reverse("core:user-list"), {"q": "B-SZ-1005"})
    assert found.context["page_obj"].paginator.count == 0
    client.force_login(admin)
    assert "B-SZ-1005" in client.get(reverse("core:user-list")).content.decode()
    assert client.get(reverse("core:user-list"), {"q": "B-SZ-1005"}).context["page_obj"].paginator.count == 1


def test_the_exported_user_list_leaves_badges_out_for_a_supervisor(client, people, admin):
    supervisor, _worker = people
    client.force_login(supervisor)
    export = client.get(reverse("core:user-list"), {"export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"wh" in body and b"B-SZ-1005" not in body
    client.force_login(admin)
    export = client.get(reverse("core:user-list"), {"export": "csv"})
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"B-SZ-1005" in body


def test_api_filters_do_not_confirm_a_guessed_badge(people, admin):
    supervisor, _worker = people
    api = APIClient()
    api.force_authenticate(supervisor)
    assert api.get("/api/v1/core/users/", {"badge_id": "B-SZ-1005"}).json()["count"] == 0
    assert api.get("/api/v1/core/users/", {"search": "B-SZ"}).json()["count"] == 0
    assert api.get("/api/v1/core/users/", {"badge_id": "B-SUP-1"}).json()["count"] == 1  # their own
    api.force_authenticate(admin)
    assert [u["username"] for u in api.get("/api/v1/core/users/", {"badge_id": "B-SZ-1005"}).json()["results"]] == [
        "wh"
    ]
    assert api.get("/api/v1/core/users/", {"search": "B-SZ"}).json()["count"] == 1


def test_admin_user_page_hides_the_badge_from_a_staff_supervisor(client, people, admin):
    supervisor, worker = people
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    changelist = client.get("/admin/core/user/")
    assert changelist.status_code == 200
    assert "B-SZ-1005" not in changelist.content.decode()
    assert client.get("/admin/core/user/", {"q": "B-SZ-1005"}).context["cl"].result_count == 0
    page = client.get(f"/admin/core/user/{worker.pk}/change/")
    assert page.status_code == 200 and "B-SZ-1005" not in page.content.decode()
    client.force_login(UserFactory(username="super", is_staff=True, is_superuser=True))
    assert "B-SZ-1005" in client.get(f"/admin/core/user/{worker.pk}/change/").content.decode()


# --- tokens after a password change -------------------------------------------------------------


def _token_works(key: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/core/units/").status_code == 200


def test_a_password_change_by_the_user_revokes_their_tokens(admin):
    user = UserFactory(roles=["admin"])
    key = issue_token(user=user).key
    assert _token_works(key)
    update_user(instance=user, user=user, data={"password": "another-long-passphrase-9"})
    assert not Token.objects.filter(user=user).exists() and not _token_works(key)


def test_a_password_change_through_the_api_revokes_the_tokens(admin):
    user = UserFactory(roles=["planner"])
    key = issue_token(user=user).key
    api = APIClient()
    api.force_authenticate(admin)
    response = api.patch(f"/api/v1/core/users/{user.pk}/", {"password": "another-long-passphrase-9"}, format="json")
    assert response.status_code == 200, response.content
    assert not _token_works(key)


def test_a_password_change_on_the_admin_page_revokes_the_tokens(client):
    user = UserFactory(roles=["planner"])
    key = issue_token(user=user).key
    client.force_login(UserFactory(username="super2", is_staff=True, is_superuser=True))
    response = client.post(
        f"/admin/core/user/{user.pk}/password/",
        {"password1": "another-long-passphrase-9", "password2": "another-long-passphrase-9", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-9")
    assert not _token_works(key)


def test_other_changes_keep_the_token(admin):
    user = UserFactory(roles=["planner"])
    key = issue_token(user=user).key
    update_user(instance=user, user=admin, data={"first_name": "Renamed"})
    assert _token_works(key)


# --- small leaks --------------------------------------------------------------------------------


def test_readyz_gives_the_failing_dependency_s_address_to_admins_only(client, admin):
    port = _closed_port()
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{port}/0"):
        anonymous = client.get("/readyz")
        client.force_login(admin)
        detailed = client.get("/readyz")
    assert anonymous.status_code == 503 and anonymous.json()["redis"] == "down"
    assert str(port) not in anonymous.content.decode()
    assert detailed.json()["redis"].startswith("down: ") and str(port) in detailed.json()["redis"]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, admin):
    client.force_login(admin)
    for url in ("/", "/floor/", "/core/items/", "/core/users/", "/api/docs/", reverse("login")):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
        assert not INLINE_HANDLER.search(html), (url, INLINE_HANDLER.search(html).group(0))


def test_no_template_holds_an_inline_script_or_handler():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [p for p in root.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    assert templates
    for path in templates:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not INLINE_HANDLER.search(text), path
