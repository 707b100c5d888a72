"""Fields and the base form of the shop-floor screens: scan fields filled by a wedge scanner (or
typed), quantities from the on-screen keypad. They only turn what was scanned or tapped into
records (through `core.scancodes`) and numbers; the services decide everything else."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy

from core import quantities, scancodes
from core.errors import ValidationFailed
from core.forms import DomainErrorsMixin

SCAN_ATTRS = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "inputmode": "none"}
KEYPAD_ATTRS = {"autocomplete": "off", "inputmode": "none", "class": "keypad-target"}


class ScanField(forms.CharField):
    """A field filled by a scanner. The form turns its text into a `scancodes.Scan` of one of
    `kinds`; anything else is refused with `hint` (what to scan here). `lots`, set per request,
    is the queryset of lots a plain lot code may name on this screen."""

    def __init__(self, *, kinds: tuple[str, ...], hint=None, new_lot_ok: bool = False, **kwargs):
        self.kinds = kinds
        self.hint = hint or gettext_lazy("This is not the code expected here.")
        self.new_lot_ok = new_lot_ok
        self.lots = None
        kwargs.setdefault("widget", forms.TextInput(attrs=SCAN_ATTRS))
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)


class KeypadQuantityField(quantities.QuantityField):
    """A quantity typed on the on-screen keypad."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs=KEYPAD_ATTRS))
        super().__init__(**kwargs)


class FloorForm(DomainErrorsMixin, forms.Form):
    """Scan fields are resolved for `user` after the plain field checks, then quantities are held
    to the decimals of their unit (`unit`, or what `quantity_unit` finds in the scans); a domain
    error raised by a service can be shown on the field it names (`show_domain_error`)."""

    def __init__(self, *args, user, unit=None, **kwargs):
        self.user = user
        self.unit = unit
        super().__init__(*args, **kwargs)

    def expected_lots(self, name: str, cleaned: dict):
        """The lots a plain lot code may name in scan field `name`, given the scans before it
        (None: only labels name a lot). The field's own `lots` unless a form knows better."""
        return self.fields[name].lots

    def quantity_unit(self, cleaned: dict):
        """The unit the quantities are entered in, once the scans are resolved."""
        return self.unit

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, ScanField) and cleaned.get(name):
                try:
                    scan = scancodes.parse(
                        cleaned[name],
                        user=self.user,
                        field=name,
                        new_lot_ok=field.new_lot_ok,
                        lots=self.expected_lots(name, cleaned),
                    )
                except ValidationFailed as error:
                    self.add_error(name, str(error.message))
                    continue
                if scan.kind not in field.kinds:
                    self.add_error(name, str(field.hint))
                    continue
                cleaned[name] = scan
        unit = self.quantity_unit(cleaned)
        for name, field in self.fields.items():
            if isinstance(field, quantities.QuantityField):
                quantities.fit_to_unit(self, name, unit)
        return cleaned

    @property
    def focus(self) -> str | None:
        """The field the cursor belongs in: the first with an error, else the first empty one."""
        names = [name for name, field in self.fields.items() if not field.widget.is_hidden]
        for name in names:
            if name in self.errors:
                return name
        for name in names:
            if not self[name].value():
                return name
        return names[-1] if names else None


class BadgeSignInForm(AuthenticationForm):
    """The sign-in form with the scanner in mind: the badge (or user name) field takes a scan."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("This badge or user name and password do not match. Scan the badge again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = gettext_lazy("Badge or user name")
        self.fields["username"].widget.attrs.update({**SCAN_ATTRS, "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
