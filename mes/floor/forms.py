"""Forms of the operator terminal: PIN sign-in and the production report (good, scrap with its
reason, one scanned lot consumed), entered with taps, the keypad and the scanner."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

from core.floor.forms import KEYPAD_ATTRS, SCAN_ATTRS, FloorForm, KeypadQuantityField, ScanField
from core.lockout import is_locked_out
from mes.models import ScrapReason


class PinSignInForm(forms.Form):
    """Badge (or user name) and the floor PIN. One message for every failure, so the form never
    tells which part was wrong."""

    badge = forms.CharField(label=_("Badge or user name"), max_length=150, widget=forms.TextInput(attrs=SCAN_ATTRS))
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        widget=forms.PasswordInput(attrs={**KEYPAD_ATTRS, "autocomplete": "off"}),
    )

    def __init__(self, *args, request, **kwargs):
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        badge, pin = cleaned.get("badge", "").strip(), cleaned.get("pin", "")
        if not badge or not pin:
            return cleaned
        users = get_user_model().objects.filter(is_active=True)
        user = users.filter(badge_id=badge).first() or users.filter(username=badge).first()
        # Wrong PINs count toward the account's sign-in lockout, like wrong passwords.
        if user is not None and is_locked_out(user):
            raise forms.ValidationError(
                _("Too many failed sign-ins: this account is locked for a while."), code="locked"
            )
        if user is None or not user.check_floor_pin(pin):
            user_login_failed.send(sender=__name__, credentials={"username": badge}, request=self.request)
            raise forms.ValidationError(_("This badge and PIN do not match. Scan the badge again."), code="invalid")
        cleaned["user"] = user
        return cleaned


class ReportForm(FloorForm):
    """One production report. `lot` is a scanned lot label (or a lot code of the operation's
    materials); `bin` is where it was taken from (a suggestion fills it, else the line side)."""

    good = KeypadQuantityField(label=_("Good"), required=False, allow_zero=True)
    scrap = KeypadQuantityField(label=_("Scrap"), required=False, allow_zero=True)
    scrap_reason = forms.ModelChoiceField(
        label=_("Scrap reason"), queryset=ScrapReason.objects.filter(active=True), required=False, to_field_name="code"
    )
    lot = ScanField(kinds=("lot", "item"), label=_("Material lot"), required=False, hint=_("Scan a lot label."))
    bin = forms.CharField(required=False, widget=forms.HiddenInput)
    consumed = KeypadQuantityField(label=_("Consumed"), required=False)
    idempotency_key = forms.CharField(max_length=100, widget=forms.HiddenInput)
