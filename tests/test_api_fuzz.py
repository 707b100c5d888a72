"""Property-based fuzzing of the whole REST API from its own OpenAPI schema (schemathesis).

Every operation in /api/schema/ gets a bounded, deterministic set of generated requests, valid and
invalid, sent in-process through the WSGI app as a signed-in administrator who works at a site
with a bin, an item, a lot and stock in it (so real codes exist next to random ones). Whatever the
input, the API must answer it: bad input is a 4xx with field messages, never a 5xx, and what it
answers has the shape the schema promises (undeclared 4xx status codes are not checked: the
schema documents only each operation's success answer).
"""

import os
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from config.wsgi import application
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import LotFactory, stock_in, warehouse_layout

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def in_process_requests():
    """Keep the test's database connection across requests to the raw WSGI app.

    Django closes connections when a request starts and ends; the test's transaction lives on
    that connection, so (as Django's own test client does) the closing is switched off meanwhile.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db, in_process_requests):
    """An administrator of a small plant with stock on hand, and their API token."""
    site = SiteFactory(code="FZ1")
    layout = warehouse_layout(site)
    item = ItemFactory(code="FZ-ITEM")
    lot_item = ItemFactory(code="FZ-LOTITEM", tracking="lot")
    lot = LotFactory(item=lot_item, site=site, code="FZ-LOT1")
    stock_in(bin=layout.raw, item=item, quantity="40", user=layout.user)
    stock_in(bin=layout.raw, item=lot_item, quantity=Decimal("12"), lot=lot, user=layout.user)
    admin = UserFactory(username="fuzz-admin", roles=["admin"], sites=[site])
    return Token.objects.create(user=admin).key


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_any_input_without_a_server_error_and_as_documented(case, admin_token):
    response = case.call(headers={"Authorization": f"Token {admin_token}"})
    case.validate_response(
        response,
        checks=[schemathesis.checks.not_a_server_error, schemathesis.checks.response_schema_conformance],
    )


# --- Two workers against the deployed server --------------------------------------------------


@pytest.mark.long
@pytest.mark.xdist_group("many_connections")  # never beside the 50-thread ledger races (max_connections)
@pytest.mark.timeout(1800)
@pytest.mark.django_db(transaction=True)
def test_two_workers_against_the_deployed_server_never_get_a_server_error(tmp_path_factory):
    """schemathesis' own runner, two workers sending at once, the coverage and fuzzing phases over
    every operation, against docker-compose.yml's web command on the test database: concurrent
    requests meet in real transactions and row locks (a deadlock is a 5xx like any other)."""
    import subprocess
    import sys
    from pathlib import Path
    from urllib.parse import urlparse, urlunparse

    from django.db import connection

    from bench._server import DeployedServer

    site = SiteFactory(code="FZ2")
    layout = warehouse_layout(site)
    lot_item = ItemFactory(code="FZ2-LOTITEM", tracking="lot")
    lot = LotFactory(item=lot_item, site=site, code="FZ2-LOT1")
    stock_in(bin=layout.raw, item=ItemFactory(code="FZ2-ITEM"), quantity="40", user=layout.user)
    stock_in(bin=layout.raw, item=lot_item, quantity=Decimal("12"), lot=lot, user=layout.user)
    admin = UserFactory(username="fuzz-admin-2", roles=["admin"], sites=[site])
    token = Token.objects.get_or_create(user=admin)[0].key

    parts = urlparse(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/factory"))
    test_database = urlunparse(parts._replace(path="/" + connection.settings_dict["NAME"]))
    env = {
        "DATABASE_URL": test_database,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # Deliveries (webhooks the fuzzer registers at made-up addresses) queue for a worker
        # instead of running inside the requests.
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
    }
    connection.close()  # the server's requests must not wait behind this test's connection
    report = tmp_path_factory.mktemp("schemathesis")
    output = report / "output.txt"
    with DeployedServer(env=env, static_root=tmp_path_factory.getbasetemp() / "deployed-static") as server:
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"),
                "run",
                f"{server.url}/api/schema/",
                "--url",
                server.url,
                "--workers",
                "2",
                "--phases",
                "coverage,fuzzing",
                "--checks",
                "not_a_server_error",
                "--max-examples",
                "6",
                "--generation-deterministic",
                "--no-shrink",
                "--header",
                f"Authorization: Token {token}",
                "--report-dir",
                str(report),
            ],
            cwd=report,  # schemathesis keeps its cache in the working directory
            stdout=output.open("w"),
            stderr=subprocess.STDOUT,
            timeout=1700,
            check=False,
        )
        server_log = server.output()
    _purge_queued_deliveries(env["REDIS_URL"])
    assert run.returncode == 0, output.read_text()[-20000:] + "\n--- server log ---\n" + server_log[-5000:]


def _purge_queued_deliveries(redis_url: str) -> None:
    """Drop the delivery tasks the fuzzed server queued (no worker ran for them)."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery")
