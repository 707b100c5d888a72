"""The deployed web command when PostgreSQL refuses or is down: the API answers 503 JSON with
Retry-After, pages the styled "database unavailable" page, never a 500.

Real servers, no mocks: the web command of docker-compose.yml runs against a port where nothing
listens (down) and as a role whose connection limit is 0 (refuses, like "too many clients")."""

import json
import os
import urllib.error
import urllib.parse
import urllib.request

import psycopg2
import pytest

from bench._server import DeployedServer, free_port

REFUSED_ROLE = "factory_refused_check"


def _ask(url: str, headers: dict) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    return tmp_path_factory.getbasetemp() / "deployed-static"


@pytest.fixture
def refusing_role():
    """A role PostgreSQL refuses every connection for ("too many connections for role")."""
    parts = urllib.parse.urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory"))
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {REFUSED_ROLE}")
        cursor.execute(f"CREATE ROLE {REFUSED_ROLE} LOGIN CONNECTION LIMIT 0")
    yield f"postgres://{REFUSED_ROLE}@{parts.hostname}:{parts.port or 5432}/{parts.path.lstrip('/') or 'postgres'}"
    with admin.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {REFUSED_ROLE}")
    admin.close()


def _check_unavailable(server: DeployedServer) -> None:
    status, headers, body = _ask(server.url + "/api/v1/core/units/", {"Authorization": "Token abc"})
    assert status == 503, body
    assert json.loads(body)["code"] == "database_unavailable"
    assert json.loads(body)["detail"]
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Retry-After"]) > 0

    # A signed-in page: reading the session asks the database, in the middleware before any view.
    status, headers, body = _ask(server.url + "/wms/", {"Cookie": "sessionid=" + "a" * 32})
    assert status == 503, body
    assert int(headers["Retry-After"]) > 0
    page = body.decode()
    assert "<h1>Database unavailable</h1>" in page
    assert "/static/css/app" in page  # the base layout, styled

    status, headers, body = _ask(
        server.url + "/wms/", {"Cookie": "sessionid=" + "a" * 32, "Accept-Language": "zh-hans"}
    )
    assert status == 503
    assert 'lang="zh-hans"' in body.decode()

    # Liveness does not depend on the database; readiness says which dependency is down.
    assert _ask(server.url + "/healthz", {})[0] == 200
    status, _, body = _ask(server.url + "/readyz", {})
    assert status == 503 and json.loads(body)["database"].startswith("down")


def test_database_down_answers_503_not_500(static_root):
    env = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/factory"}
    with DeployedServer(env=env, static_root=static_root) as server:
        _check_unavailable(server)


def test_database_refusing_connections_answers_503_not_500(static_root, refusing_role):
    with DeployedServer(env={"DATABASE_URL": refusing_role}, static_root=static_root) as server:
        _check_unavailable(server)
