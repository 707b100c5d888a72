"""core.states: one mechanism for every state machine (shown here on the expected receipt's)."""

import pytest
from django.utils import translation

from core.errors import InvalidTransition, PermissionDenied
from core.states import StateMachine, Transition
from tests.factories import UserFactory
from tests.wms.factories import ExpectedReceiptFactory
from wms.models import ReceiptStatus

pytestmark = pytest.mark.django_db

MACHINE = StateMachine(
    {
        "receive": Transition(frozenset({ReceiptStatus.OPEN, ReceiptStatus.PARTIAL}), ReceiptStatus.PARTIAL),
        "cancel": Transition(
            frozenset({ReceiptStatus.OPEN}), ReceiptStatus.CANCELLED, "wms.change_expectedreceipt", label="cancelled"
        ),
    },
    refusal="A receipt that is %(status)s cannot be %(action)s.",
)


def test_a_legal_transition_saves_the_status_with_its_history_user():
    receipt = ExpectedReceiptFactory()
    planner = UserFactory(roles=["planner"], sites=[receipt.site])

    assert MACHINE.apply(receipt, "cancel", planner) is True

    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.CANCELLED
    assert receipt.history.first().history_user == planner


def test_an_illegal_transition_is_refused_with_the_status_in_words():
    receipt = ExpectedReceiptFactory(status=ReceiptStatus.PARTIAL)
    planner = UserFactory(roles=["planner"], sites=[receipt.site])

    with translation.override("en"), pytest.raises(InvalidTransition) as refused:
        MACHINE.apply(receipt, "cancel", planner)

    assert str(refused.value.message) == "A receipt that is partially received cannot be cancelled."
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.PARTIAL


def test_a_transition_needing_a_permission_refuses_others():
    receipt = ExpectedReceiptFactory()
    operator = UserFactory(roles=["operator"], sites=[receipt.site])

    with pytest.raises(PermissionDenied):
        MACHINE.apply(receipt, "cancel", operator)
    assert not MACHINE.allowed(receipt, "cancel", operator)


def test_reaching_the_status_it_already_has_saves_nothing():
    receipt = ExpectedReceiptFactory(status=ReceiptStatus.PARTIAL)
    versions = receipt.history.count()

    assert MACHINE.apply(receipt, "receive", None) is False
    assert receipt.history.count() == versions


def test_check_refuses_without_saving_and_next_statuses_lists_the_way_on():
    receipt = ExpectedReceiptFactory(status=ReceiptStatus.CANCELLED)
    with pytest.raises(InvalidTransition, match="cancelled cannot be cancelled"):
        MACHINE.check(receipt, "cancel")
    receipt.refresh_from_db()
    assert receipt.status == ReceiptStatus.CANCELLED
    assert MACHINE.next_statuses() == {
        ReceiptStatus.OPEN: {ReceiptStatus.PARTIAL, ReceiptStatus.CANCELLED},
        ReceiptStatus.PARTIAL: {ReceiptStatus.PARTIAL},
    }


def test_lots_and_counts_run_on_core_states():
    from wms.services.counting import COUNT_STATES
    from wms.services.lots import LOT_STATES, TRANSITIONS

    assert isinstance(LOT_STATES, StateMachine) and isinstance(COUNT_STATES, StateMachine)
    assert TRANSITIONS["consumed"] == {"available"}
    assert COUNT_STATES.sources("approve") == {"pending_approval"}
