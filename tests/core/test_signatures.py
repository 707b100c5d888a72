"""Electronic signatures: the password is checked, the meaning is one of the list, the
signature links the record's history entry, and nothing is stored when anything is wrong."""

import pytest

from core.errors import SignatureInvalid, ValidationFailed
from core.forms import SignatureForm
from core.models import Event, Signature
from core.services.master_data import update_record
from core.services.signatures import sign, signatures_for
from tests.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def signer():
    return UserFactory(username="qe", first_name="Quinn", last_name="Engineer", roles=["quality"])


def test_good_password_stores_the_signature(signer):
    item = ItemFactory()
    signature = sign(user=signer, password=PASSWORD, meaning="approved", record=item, reason="first article ok")
    assert signature.full_name == "Quinn Engineer"
    assert signature.meaning == "approved"
    assert signature.reason == "first article ok"
    assert signature.record == item
    assert list(signatures_for(item)) == [signature]
    assert Event.objects.filter(name="core.signature.signed", payload__user="qe").exists()


def test_bad_password_signs_nothing(signer):
    item = ItemFactory()
    with pytest.raises(SignatureInvalid):
        sign(user=signer, password="wrong", meaning="approved", record=item)
    with pytest.raises(SignatureInvalid):
        sign(user=signer, password="", meaning="approved", record=item)
    assert not Signature.objects.exists()


def test_inactive_user_cannot_sign(signer):
    signer.is_active = False
    signer.save()
    with pytest.raises(SignatureInvalid):
        sign(user=signer, password=PASSWORD, meaning="approved", record=ItemFactory())
    assert not Signature.objects.exists()


@pytest.mark.parametrize("meaning", ["", "ok", "APPROVED", None])
def test_meaning_must_be_one_of_the_list(signer, meaning):
    with pytest.raises(ValidationFailed) as caught:
        sign(user=signer, password=PASSWORD, meaning=meaning, record=ItemFactory())
    assert caught.value.field == "meaning"
    assert not Signature.objects.exists()


def test_signature_links_the_history_entry_of_the_change_it_approves(signer):
    item = ItemFactory(name="before")
    update_record(instance=item, user=signer, data={"name": "after"})
    latest = item.history.order_by("-history_date").first()
    signature = sign(user=signer, password=PASSWORD, meaning="reviewed", record=item)
    assert signature.history_id == latest.history_id
    assert latest.name == "after"


def test_signatures_of_other_records_are_not_mixed_in(signer):
    first, second = ItemFactory(), ItemFactory()
    sign(user=signer, password=PASSWORD, meaning="approved", record=first)
    assert not signatures_for(second).exists()


def test_signature_form_turns_a_wrong_password_into_a_field_error(signer):
    from core.forms import apply_errors

    form = SignatureForm(
        {"signature-password": "nope", "signature-meaning": "approved"}, user=signer, meanings=["approved"]
    )
    assert form.is_valid()
    with pytest.raises(SignatureInvalid) as caught:
        form.sign(record=ItemFactory())
    apply_errors(form, caught.value)
    assert "password" in form.errors
    assert not Signature.objects.exists()


def test_signature_form_limits_meanings(signer):
    form = SignatureForm(
        {"signature-password": PASSWORD, "signature-meaning": "rejected"}, user=signer, meanings=["approved"]
    )
    assert not form.is_valid()
    assert "meaning" in form.errors
