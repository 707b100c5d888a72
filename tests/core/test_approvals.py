"""Approval services for the count-variance kind: asked for by the count service's event,
decided with the e-signature, four eyes, stale and taken refusals, escalation, delegation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.approvals import get_kind
from core.errors import DomainError, PermissionDenied, SignatureInvalid, ValidationFailed
from core.models import ApprovalDelegation, ApprovalRequest, ApprovalStatus, Event, OutboxMessage, Signature
from core.selectors.audit import audit_trail
from core.services import approvals
from tests.core.conftest import PASSWORD
from tests.factories import UserFactory
from wms.approvals import COUNT_VARIANCE
from wms.models import CountStatus, CountTask, StockQuant
from wms.services import counting

pytestmark = pytest.mark.django_db


def on_hand(plant):
    return StockQuant.objects.get(item=plant.item, bin=plant.bin).quantity


def test_a_count_above_the_threshold_asks_for_a_decision(plant):
    task, request = plant.pending()

    assert request.kind == COUNT_VARIANCE
    assert request.status == ApprovalStatus.PENDING
    assert request.site == plant.site
    assert request.requested_by == plant.counter
    assert request.record == task
    assert Event.objects.filter(name="core.approval.requested", payload__request=request.pk).exists()
    assert OutboxMessage.objects.filter(
        event__name="core.approval.requested", channel="websocket", target="live.AP.core"
    ).exists()


def test_a_count_within_the_threshold_asks_for_nothing(plant):
    counting.submit_count(task=plant.open_task(), counted_quantity="99", user=plant.counter)
    assert not ApprovalRequest.objects.exists()


def test_the_figures_say_what_is_asked(plant):
    task, request = plant.pending()
    figures = {f.label: f.value for f in get_kind(request.kind).figures(task)}
    assert figures["System quantity"] == "100 pcs"
    assert figures["Counted"] == "60 pcs"
    assert figures["Variance"] == "-40 pcs (-40\u00a0%)"
    assert figures["Variance value"].startswith("-400")
    assert figures["Bin"] == plant.bin.code


def test_approve_books_the_count_and_signs_it(plant):
    task, request = plant.pending()

    decided = approvals.decide(
        request=request, user=plant.supervisor, approve=True, password=PASSWORD, meaning="approved", comment="ok"
    )

    assert decided.status == ApprovalStatus.APPROVED
    assert decided.decided_by == plant.supervisor
    task.refresh_from_db()
    assert task.status == CountStatus.POSTED
    assert on_hand(plant) == Decimal(60)
    assert Signature.objects.filter(object_id=str(task.pk), meaning="approved", user=plant.supervisor).count() == 1


def test_reject_asks_for_a_recount_and_needs_a_comment(plant):
    task, request = plant.pending()
    with pytest.raises(ValidationFailed) as refused:
        approvals.decide(request=request, user=plant.supervisor, approve=False, password=PASSWORD, meaning="rejected")
    assert refused.value.field == "comment"

    approvals.decide(
        request=request, user=plant.supervisor, approve=False, password=PASSWORD, meaning="rejected", comment="again"
    )

    task.refresh_from_db()
    assert task.status == CountStatus.REJECTED
    assert CountTask.objects.filter(recount_of=task, status=CountStatus.OPEN).exists()
    assert ApprovalRequest.objects.get(pk=request.pk).status == ApprovalStatus.REJECTED


def test_a_wrong_password_is_reported_before_a_missing_comment(plant):
    _task, request = plant.pending()
    with pytest.raises(SignatureInvalid):
        approvals.decide(request=request, user=plant.supervisor, approve=False, password="wrong", meaning="rejected")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING


def test_a_wrong_password_changes_nothing(plant):
    task, request = plant.pending()

    with pytest.raises(SignatureInvalid):
        approvals.decide(request=request, user=plant.supervisor, approve=True, password="wrong", meaning="approved")

    request.refresh_from_db()
    task.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING and request.decided_by is None
    assert task.status == CountStatus.PENDING_APPROVAL
    assert on_hand(plant) == Decimal(100)
    assert not Signature.objects.exists()


def test_four_eyes_nobody_decides_their_own_request(plant):
    plant.counter.groups.add(*plant.supervisor.groups.all())
    plant.counter._roles_cache = None
    task, request = plant.pending()
    with pytest.raises(PermissionDenied) as refused:
        approvals.decide(request=request, user=plant.counter, approve=True, password=PASSWORD, meaning="approved")
    assert refused.value.code == "four_eyes"
    task.refresh_from_db()
    assert task.status == CountStatus.PENDING_APPROVAL


def test_a_role_that_does_not_decide_is_refused(plant):
    _, request = plant.pending()
    clerk = UserFactory(roles=["warehouse"], sites=[plant.site])
    with pytest.raises(PermissionDenied):
        approvals.decide(request=request, user=clerk, approve=True, password=PASSWORD, meaning="approved")


def test_the_wrong_meaning_is_refused(plant):
    _, request = plant.pending()
    with pytest.raises(ValidationFailed) as refused:
        approvals.decide(request=request, user=plant.supervisor, approve=True, password=PASSWORD, meaning="rejected")
    assert refused.value.field == "meaning"


def test_a_decision_already_taken_says_by_whom(plant):
    _, request = plant.pending()
    approvals.decide(request=request, user=plant.supervisor, approve=True, password=PASSWORD, meaning="approved")

    with pytest.raises(DomainError) as refused:
        approvals.decide(
            request=request, user=plant.other_supervisor, approve=True, password=PASSWORD, meaning="approved"
        )

    assert refused.value.code == "already_decided"
    assert plant.supervisor.get_full_name() in str(refused.value.message)
    assert refused.value.status == 409


def test_a_record_changed_since_the_request_is_refused_as_stale(plant):
    task, request = plant.pending()
    CountTask.objects.filter(pk=task.pk).update(counted_quantity=Decimal(70), variance=Decimal(-30))

    with pytest.raises(DomainError) as refused:
        approvals.decide(request=request, user=plant.supervisor, approve=True, password=PASSWORD, meaning="approved")

    assert refused.value.code == "stale"
    request.refresh_from_db()
    assert request.status == ApprovalStatus.PENDING
    assert on_hand(plant) == Decimal(100)


def test_a_count_decided_on_its_own_page_shows_as_taken(plant):
    task, request = plant.pending()
    counting.approve_count(task=task, user=plant.supervisor, password=PASSWORD)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED
    assert request.decided_by == plant.supervisor


def test_an_urgent_variance_is_e_mailed_with_a_deep_link(plant):
    _, request = plant.pending(counted="0")  # worth 1000: twice the 500 threshold is urgent

    mails = OutboxMessage.objects.filter(event__name="core.approval.notification", channel="email")
    assert request.urgency == "high"
    assert sorted(mails.values_list("target", flat=True)) == ["sup2@example.com", "sup@example.com"]
    body = mails.first().event.payload["body"]
    assert f"/core/approvals/#approval-{request.pk}" in body


def test_a_normal_variance_is_pushed_not_e_mailed(plant):
    plant.pending()
    assert not OutboxMessage.objects.filter(channel="email").exists()


def test_escalation_after_the_kinds_limit_goes_to_the_next_role_up(plant):
    admin = UserFactory(roles=["admin"], email="boss@example.com")
    _, request = plant.pending()
    assert approvals.escalate_overdue() == []

    later = timezone.now() + get_kind(COUNT_VARIANCE).escalate_after + timedelta(minutes=1)
    escalated = approvals.escalate_overdue(now=later)

    assert [r.pk for r in escalated] == [request.pk]
    request.refresh_from_db()
    assert (request.status, request.level, request.urgency) == (ApprovalStatus.ESCALATED, 1, "high")
    mail = OutboxMessage.objects.get(event__name="core.approval.notification", channel="email")
    assert mail.target == admin.email
    assert approvals.escalate_overdue(now=later + timedelta(days=1)) == []  # the top of the ladder
    # still decidable once escalated
    approvals.decide(request=request, user=admin, approve=True, password=PASSWORD, meaning="approved")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.APPROVED


def test_delegation_routes_notices_and_records_on_whose_behalf(plant):
    now = timezone.now()
    delegation = approvals.delegate_approvals(
        user=plant.supervisor,
        delegate=plant.other_supervisor,
        role="supervisor",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=3),
    )
    kind = get_kind(COUNT_VARIANCE)
    assert approvals.approvers(kind=kind, site=plant.site) == [plant.other_supervisor]

    _, request = plant.pending()
    approvals.decide(request=request, user=plant.other_supervisor, approve=True, password=PASSWORD, meaning="approved")
    request.refresh_from_db()
    assert request.on_behalf_of == plant.supervisor

    approvals.revoke_delegation(delegation=delegation, user=plant.supervisor)
    assert sorted(u.pk for u in approvals.approvers(kind=kind, site=plant.site)) == sorted(
        [plant.supervisor.pk, plant.other_supervisor.pk]
    )


def test_delegation_needs_someone_else_of_the_same_role(plant):
    now = timezone.now()
    period = {"starts_at": now, "ends_at": now + timedelta(days=1)}
    with pytest.raises(ValidationFailed) as refused:
        approvals.delegate_approvals(user=plant.supervisor, delegate=plant.counter, role="supervisor", **period)
    assert refused.value.field == "delegate"
    with pytest.raises(ValidationFailed):
        approvals.delegate_approvals(user=plant.supervisor, delegate=plant.supervisor, role="supervisor", **period)
    with pytest.raises(ValidationFailed) as refused:
        approvals.delegate_approvals(
            user=plant.supervisor,
            delegate=plant.other_supervisor,
            role="supervisor",
            starts_at=now,
            ends_at=now - timedelta(hours=1),
        )
    assert refused.value.field == "ends_at"
    elsewhere = UserFactory(roles=["supervisor"])
    with pytest.raises(ValidationFailed):
        approvals.delegate_approvals(user=plant.supervisor, delegate=elsewhere, role="supervisor", **period)
    assert not ApprovalDelegation.objects.exists()


def test_the_inbox_holds_what_the_user_may_decide(plant):
    _, request = plant.pending()
    elsewhere = UserFactory(roles=["supervisor"])
    assert list(approvals.decidable_requests(plant.supervisor)) == [request]
    assert list(approvals.decidable_requests(elsewhere)) == []
    assert list(approvals.decidable_requests(plant.counter)) == []
    assert list(approvals.decidable_requests(UserFactory(roles=["admin"]))) == [request]


def test_the_request_and_its_decision_are_in_the_counts_audit_trail(plant):
    task, request = plant.pending()
    approvals.decide(
        request=request, user=plant.supervisor, approve=True, password=PASSWORD, meaning="approved", comment="fine"
    )
    trail = audit_trail(record=task, user=plant.supervisor)
    reasons = [e.reason for e in trail.entries if e.subject.startswith("Approval request")]
    assert reasons == ["fine", "approval requested"]


def test_the_periodic_task_escalates_what_waited_too_long(plant):
    from core.tasks import escalate_approvals

    UserFactory(roles=["admin"])
    _, request = plant.pending()
    assert escalate_approvals() == 0
    ApprovalRequest.objects.filter(pk=request.pk).update(requested_at=timezone.now() - timedelta(hours=9))
    assert escalate_approvals() == 1
    request.refresh_from_db()
    assert request.status == ApprovalStatus.ESCALATED
    trail = audit_trail(record=request.record, user=plant.supervisor)
    assert "escalated to administrator" in [e.reason for e in trail.entries]


def test_a_delegation_is_in_both_peoples_audit_trail(plant):
    now = timezone.now()
    approvals.delegate_approvals(
        user=plant.supervisor,
        delegate=plant.other_supervisor,
        role="supervisor",
        starts_at=now,
        ends_at=now + timedelta(days=1),
    )
    for person in (plant.supervisor, plant.other_supervisor):
        trail = audit_trail(record=person, user=plant.supervisor)
        assert any(e.subject.startswith("Approval delegation") and e.reason == "delegated" for e in trail.entries)
