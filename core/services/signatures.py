"""Electronic signatures for approvals: the signer re-enters the password and states a meaning.

Failed signatures count toward the account's sign-in lockout and a locked account cannot sign
(core.lockout).

Later modules (schedule approval, quality holds, overrides, count variances) call `sign` inside
the transaction of the change it approves, so the signature and the audit entry stand together.
"""

from django.contrib.auth.hashers import check_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import SignatureInvalid, ValidationFailed
from core.events import publish
from core.lockout import is_locked_out, record_signature_failure
from core.models import Signature, SignatureMeaning


def check_signature_password(*, user, password: str, record) -> None:
    """Refuse a signature whose password is wrong (or whose account is locked), recording the
    failure. Services that need more than the password (a reason, a comment) call it first, so a
    wrong password is reported at once, not only after the rest is filled in."""
    if is_locked_out(user):
        raise SignatureInvalid(
            _("This account is locked after repeated failed sign-ins or signatures; nothing was signed."),
            code="account_locked",
        )
    if not user.is_active or not password or not check_password(password, user.password):
        record_signature_failure(user=user, record=record)
        raise SignatureInvalid(_("The password is not correct; nothing was signed."))


@transaction.atomic
def sign(*, user, password: str, meaning: str, record, reason: str = "") -> Signature:
    """Verify `password` for `user` and store the signature on `record`.

    Links the newest history entry of the record (when the record keeps history), so the audit
    trail shows who signed which change and what it meant.
    """
    if meaning not in SignatureMeaning.values:
        raise ValidationFailed(_("Choose what the signature means."), field="meaning")
    check_signature_password(user=user, password=password, record=record)
    history_id = None
    history = getattr(record, "history", None)
    if history is not None:
        latest = history.order_by("-history_date").values_list("history_id", flat=True).first()
        history_id = latest
    signature = Signature.objects.create(
        user=user,
        full_name=user.get_full_name() or user.username,
        meaning=meaning,
        reason=reason,
        content_type=ContentType.objects.get_for_model(record),
        object_id=str(record.pk),
        history_id=history_id,
    )
    publish(
        "core.signature.signed",
        {
            "signature": signature.pk,
            "user": user.username,
            "meaning": meaning,
            "record": f"{record._meta.label_lower}:{record.pk}",
        },
        site=getattr(record, "site", None),
        live=False,
    )
    return signature


def signatures_for(record):
    """The signatures on a record, newest first."""
    return Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=str(record.pk)
    ).select_related("user")
