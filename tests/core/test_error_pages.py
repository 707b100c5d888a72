"""Error pages: styled, in the layout, in the reader's language, saying what to do next."""

import pytest
from django.test import RequestFactory
from django.views import defaults

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_unknown_page_is_the_styled_404_not_a_bare_or_debug_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "error-card" in html
    assert "This page or record was not found" in html
    assert 'href="/"' in html


def test_404_speaks_chinese_to_a_chinese_reader(client):
    response = client.get("/no/such/page/", headers={"accept-language": "zh-hans"})
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_forbidden_page_names_the_user_and_says_whom_to_ask(client):
    user = UserFactory(username="norole", roles=[])
    client.force_login(user)
    response = client.get("/core/items/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "error-card" in html
    assert "norole" in html
    assert "supervisor or an administrator" in html


def test_server_error_page_renders_without_a_request_context():
    request = RequestFactory().get("/")
    response = defaults.server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "error-card" in html


def test_bad_request_page_is_styled():
    request = RequestFactory().get("/")
    response = defaults.bad_request(request, exception=None)
    assert response.status_code == 400
    assert "error-card" in response.content.decode()
