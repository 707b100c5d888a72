"""The approvals inbox page: cards with the figures, the badge, deciding from a card."""

import pytest

from core.models import ApprovalStatus
from tests.core.conftest import PASSWORD
from tests.factories import UserFactory
from wms.models import CountStatus

pytestmark = pytest.mark.django_db

INBOX = "/core/approvals/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_inbox_shows_the_card_with_its_figures_and_the_badge(plant, web_as):
    _, request = plant.pending()
    page = web_as(plant.supervisor).get(INBOX)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="approval-{request.pk}"' in html
    assert f"Count variance of {plant.item.code} in bin {plant.bin.code}" in html
    assert "-40 pcs (-40\u00a0%)" in html and "pallet missing" in html
    assert '<span class="count">1</span>' in html
    assert 'src="/static/js/approvals.js"' in html
    assert "<script>" not in html  # no inline scripts: the page works under a strict CSP


def test_the_badge_costs_one_query(plant, client, django_assert_num_queries):
    plant.pending()
    client.force_login(plant.supervisor)
    from core.selectors.approvals import pending_count

    plant.supervisor._roles_cache = None
    with django_assert_num_queries(1):
        assert pending_count(user=plant.supervisor) == 1


def test_someone_who_decides_nothing_has_no_inbox(plant, web_as):
    assert web_as(plant.counter).get(INBOX).status_code == 404
    assert "approval-badge" not in web_as(plant.counter).get("/").content.decode()


def test_approving_from_the_card_answers_the_card_as_decided(plant, web_as):
    task, request = plant.pending()
    client = web_as(plant.supervisor)
    answer = client.post(
        f"{INBOX}{request.pk}/decide/",
        {"decision": "approve", "meaning": "approved", "password": PASSWORD, "comment": ""},
        **HTMX,
    )
    assert answer.status_code == 200
    assert "Approved by you" in answer.content.decode()
    task.refresh_from_db()
    assert task.status == CountStatus.POSTED


def test_a_wrong_password_keeps_the_form_open_with_the_error(plant, web_as):
    task, request = plant.pending()
    answer = web_as(plant.supervisor).post(
        f"{INBOX}{request.pk}/decide/",
        {"decision": "approve", "meaning": "approved", "password": "nope"},
        **HTMX,
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "The password is not correct" in html and "editing" in html
    task.refresh_from_db()
    assert task.status == CountStatus.PENDING_APPROVAL


def test_a_request_taken_by_someone_else_shows_as_taken(plant, web_as):
    _, request = plant.pending()
    from core.services.approvals import decide

    decide(request=request, user=plant.other_supervisor, approve=True, password=PASSWORD, meaning="approved")
    answer = web_as(plant.supervisor).post(
        f"{INBOX}{request.pk}/decide/",
        {"decision": "approve", "meaning": "approved", "password": PASSWORD},
        **HTMX,
    )
    html = answer.content.decode()
    assert "Taken: Approved by" in html and plant.other_supervisor.get_full_name() in html
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED and request.decided_by == plant.other_supervisor


def test_delegating_from_the_inbox(plant, web_as):
    answer = web_as(plant.supervisor).post(
        INBOX,
        {
            "delegate": plant.other_supervisor.pk,
            "role": "supervisor",
            "starts_at": "2026-01-01T08:00",
            "ends_at": "2099-01-01T08:00",
        },
        follow=True,
    )
    assert "Your decisions are delegated." in answer.content.decode()
    assert plant.supervisor.delegations_given.get().delegate == plant.other_supervisor


def test_delegating_to_a_colleague_of_another_role_is_refused(plant, web_as):
    UserFactory(roles=["admin"])
    answer = web_as(plant.supervisor).post(
        INBOX,
        {
            "delegate": plant.counter.pk,
            "role": "supervisor",
            "starts_at": "2026-01-01T08:00",
            "ends_at": "2099-01-01T08:00",
        },
    )
    assert answer.status_code == 200
    assert not plant.supervisor.delegations_given.exists()
