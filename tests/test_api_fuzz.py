"""Property-based fuzzing of the whole REST API from its own OpenAPI schema (schemathesis).

Every operation in /api/schema/ gets a bounded, deterministic set of generated requests, valid and
invalid, sent in-process through the WSGI app as a signed-in administrator who works at a site
with a bin, an item, a lot and stock in it (so real codes exist next to random ones). Whatever the
input, the API must answer it: bad input is a 4xx with field messages, never a 5xx, and what it
answers has the shape the schema promises (undeclared 4xx status codes are not checked: the
schema documents only each operation's success answer).
"""

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
