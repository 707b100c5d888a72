"""Desk adjustments: a reason code, the count variance's thresholds, a signed approval with four
eyes through the approvals inbox."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import InvalidTransition, PermissionDenied, SignatureInvalid, ValidationFailed
from core.models import ApprovalRequest, Signature
from core.roles import sync_roles
from tests.factories import ItemFactory, UserFactory
from tests.wms.factories import stock_in, warehouse_layout
from wms.approvals import STOCK_ADJUSTMENT
from wms.models import AdjustmentStatus, StockAdjustment, StockMove, StockQuant
from wms.services import adjustments

PASSWORD = "correct-horse-battery"


def on_hand(item, bin_):
    row = StockQuant.objects.filter(item=item, bin=bin_).first()
    return row.quantity if row else Decimal(0)


@pytest.fixture
def shelf(db):
    layout = warehouse_layout()
    item = ItemFactory(standard_cost=Decimal("2"))
    stock_in(bin=layout.raw, item=item, quantity=100, user=layout.user)
    supervisor = UserFactory(roles=["supervisor"], sites=[layout.site])
    return layout, item, supervisor


def test_a_small_adjustment_with_a_reason_is_posted_at_once(shelf):
    layout, item, _supervisor = shelf
    adjustment = adjustments.request_adjustment(
        item=item, bin=layout.raw, quantity=Decimal("-2"), reason_code="damaged", user=layout.user
    )
    assert adjustment.status == AdjustmentStatus.POSTED and adjustment.move is not None
    assert adjustment.move.kind == "adjustment" and adjustment.move.reason.startswith("Damaged")
    assert on_hand(item, layout.raw) == Decimal(98)


def test_an_adjustment_needs_a_reason_code(shelf):
    layout, item, _supervisor = shelf
    with pytest.raises(ValidationFailed) as refused:
        adjustments.request_adjustment(item=item, bin=layout.raw, quantity=1, reason_code="", user=layout.user)
    assert refused.value.field == "reason_code"
    with pytest.raises(ValidationFailed) as refused:
        adjustments.request_adjustment(item=item, bin=layout.raw, quantity=1, reason_code="other", user=layout.user)
    assert refused.value.field == "note"
    assert not StockAdjustment.objects.exists()


def test_a_large_adjustment_waits_for_a_signed_approval_by_someone_else(shelf):
    layout, item, supervisor = shelf
    adjustment = adjustments.request_adjustment(
        item=item, bin=layout.raw, quantity=Decimal("100000"), reason_code="found", user=layout.user
    )
    assert adjustment.status == AdjustmentStatus.PENDING_APPROVAL and adjustment.move is None
    assert on_hand(item, layout.raw) == Decimal(100)
    assert ApprovalRequest.objects.filter(kind=STOCK_ADJUSTMENT, object_id=str(adjustment.pk)).exists()

    with pytest.raises(PermissionDenied):
        adjustments.approve_adjustment(adjustment=adjustment, user=layout.user, password=PASSWORD)
    with pytest.raises(SignatureInvalid):
        adjustments.approve_adjustment(adjustment=adjustment, user=supervisor, password="wrong")
    assert on_hand(item, layout.raw) == Decimal(100)

    adjustments.approve_adjustment(adjustment=adjustment, user=supervisor, password=PASSWORD, reason="pallet found")
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.POSTED and adjustment.decided_by == supervisor
    assert on_hand(item, layout.raw) == Decimal(100100)
    assert Signature.objects.filter(object_id=str(adjustment.pk), meaning="approved", user=supervisor).exists()
    assert not ApprovalRequest.objects.filter(object_id=str(adjustment.pk), status__in=("open", "escalated")).exists()
    with pytest.raises(InvalidTransition):
        adjustments.approve_adjustment(adjustment=adjustment, user=supervisor, password=PASSWORD)


def test_a_percentage_above_the_threshold_also_waits(shelf):
    layout, item, supervisor = shelf
    # 10 pcs of 100 is 10 % (threshold 5 %), worth 20 (threshold 500)
    adjustment = adjustments.request_adjustment(
        item=item, bin=layout.raw, quantity=Decimal("-10"), reason_code="lost", user=layout.user
    )
    assert adjustment.status == AdjustmentStatus.PENDING_APPROVAL
    adjustments.reject_adjustment(adjustment=adjustment, user=supervisor, password=PASSWORD, reason="recount first")
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.REJECTED and on_hand(item, layout.raw) == Decimal(100)


def test_the_desk_posts_through_the_form_and_shows_refusals_on_fields(shelf, client):
    layout, item, _supervisor = shelf
    client.force_login(layout.user)
    url = "/wms/adjustments/new/"
    page = client.post(
        url, {"item": item.code, "bin": layout.raw.code, "direction": "lower", "quantity": "1", "reason_code": ""}
    )
    assert page.status_code == 200 and "reason_code" in page.context["form"].errors
    page = client.post(
        url,
        {"item": item.code, "bin": layout.raw.code, "direction": "lower", "quantity": "500", "reason_code": "lost"},
    )
    assert page.status_code == 200 and page.context["form"].errors  # more than the bin holds
    page = client.post(
        url,
        {"item": item.code, "bin": layout.raw.code, "direction": "lower", "quantity": "1", "reason_code": "damaged"},
        follow=True,
    )
    assert page.status_code == 200 and on_hand(item, layout.raw) == Decimal(99)
    assert item.code in page.content.decode()
    move_form = client.get("/wms/moves/new/").context["form"]
    assert "adjustment" not in dict(move_form.fields["kind"].choices)


@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_post_the_adjustment_once():
    sync_roles()
    layout = warehouse_layout()
    item = ItemFactory(standard_cost=Decimal("2"))
    stock_in(bin=layout.raw, item=item, quantity=100, user=layout.user)
    first, second = (UserFactory(roles=["supervisor"], sites=[layout.site]) for _ in range(2))
    adjustment = adjustments.request_adjustment(
        item=item, bin=layout.raw, quantity=Decimal("5000"), reason_code="found", user=layout.user
    )
    barrier = threading.Barrier(2)
    results = []

    def approve(user):
        try:
            barrier.wait(timeout=30)
            adjustments.approve_adjustment(adjustment=adjustment, user=user, password=PASSWORD)
            results.append("approved")
        except InvalidTransition:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["approved", "refused"]
    assert StockMove.objects.filter(reference=f"ADJ-{adjustment.pk}").count() == 1
    assert on_hand(item, layout.raw) == Decimal(5100)
