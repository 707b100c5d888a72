"""Web forms for master data, users and electronic signatures.

Forms only check and convert the input: `service_data()` hands the cleaned values to the same
service functions the API calls (core.services.master_data, core.services.users,
core.services.signatures).
"""

import zoneinfo

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, SignatureInvalid
from core.models import (
    Company,
    Currency,
    ExchangeRate,
    Item,
    Partner,
    Role,
    SignatureMeaning,
    Site,
    Unit,
    UnitConversion,
    User,
    Webhook,
)
from core.selectors import master_data as selectors
from core.units import validate_positive


def apply_errors(form, exc, aliases: dict | None = None) -> None:
    """Show a service's refusal on the form: on the field it names (through `aliases`, the
    service's argument names mapped to the form's field names), else above the form. The one
    place where domain errors (and a model's own validation errors) become form messages."""
    aliases = aliases or {}
    if isinstance(exc, SignatureInvalid):
        form.add_error("password" if "password" in form.fields else None, str(exc.message))
        return
    if isinstance(exc, DomainError):
        target = aliases.get(exc.field, exc.field)
        form.add_error(target if target in form.fields else None, str(exc.message))
        return
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = aliases.get(name, name)
            form.add_error(name if name in form.fields else None, errors)
        return
    form.add_error(None, exc)


def model_rules(model, name: str) -> list:
    """The validators of a model field (its length, its code pattern) for a plain form field whose
    value a service saves with `full_clean`: the form refuses, on the field, what the model would."""
    return list(model._meta.get_field(name).validators)


# What a service may refuse with: its domain errors and, from `full_clean`, a model's own rules.
REFUSALS = (DomainError, DjangoValidationError)


class DomainErrorsMixin:
    """A form whose data goes to a service: `show_domain_error(error)` puts the service's refusal
    on the field it names (`error_aliases` maps the service's argument names to field names)."""

    error_aliases: dict[str, str] = {}

    def show_domain_error(self, error, aliases: dict | None = None) -> None:
        apply_errors(self, error, aliases={**self.error_aliases, **(aliases or {})})


def scope_choices(form, user) -> None:
    """Limit every record choice of `form` to the user's sites, where the records are site-bound:
    another site's bin or warehouse is neither offered nor accepted (it reads as an invalid choice,
    just as the API reads its code as unknown)."""
    for form_field in form.fields.values():
        queryset = getattr(form_field, "queryset", None)
        if queryset is not None and hasattr(queryset, "for_user"):
            form_field.queryset = queryset.for_user(user)


class ServiceForm(forms.ModelForm):
    """A model form whose values are saved by a service, never by `form.save()`. Its record
    choices are scoped to the user's sites."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        scope_choices(self, user)

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class CompanyForm(ServiceForm):
    class Meta:
        model = Company
        fields = ["code", "name", "base_currency"]


def _time_zone_choices():
    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class SiteForm(ServiceForm):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=_time_zone_choices, initial="UTC")

    class Meta:
        model = Site
        fields = ["code", "name", "company", "time_zone", "address", "active"]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = selectors.company_list(user=self.user)


class CurrencyForm(ServiceForm):
    class Meta:
        model = Currency
        fields = ["code", "name", "decimals"]


class ExchangeRateForm(ServiceForm):
    class Meta:
        model = ExchangeRate
        fields = ["from_currency", "to_currency", "rate", "valid_from"]
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class UnitForm(ServiceForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "dimension", "ratio", "decimals"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ratio"].validators.append(validate_positive)


class ItemForm(ServiceForm):
    class Meta:
        model = Item
        fields = list(Item.EDITABLE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_unit"].queryset = selectors.unit_list(user=self.user)


class UnitConversionForm(forms.Form):
    """1 `unit` of the item is `factor` base units (a box of 50)."""

    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none())
    factor = forms.DecimalField(
        label=_("base units per unit"), max_digits=24, decimal_places=12, validators=[validate_positive]
    )

    def __init__(self, *args, user=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        units = selectors.unit_list(user=user)
        if item is not None:
            units = units.exclude(pk=item.base_unit_id)
        self.fields["unit"].queryset = units

    def service_data(self) -> dict:
        return {"item": self.item, "unit": self.cleaned_data["unit"], "factor": self.cleaned_data["factor"]}

    @property
    def model(self):
        return UnitConversion


class PartnerForm(ServiceForm):
    class Meta:
        model = Partner
        fields = list(Partner.EDITABLE_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if not (data.get("is_customer") or data.get("is_supplier")):
            self.add_error("is_customer", _("A partner is a customer, a supplier or both."))
        return data

    def validate_constraints(self, exclude=None):
        """The customer-or-supplier rule is explained by `clean`; skip the database's wording."""


class UserForm(ServiceForm):
    roles = forms.MultipleChoiceField(
        label=_("roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("sites"), queryset=Site.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("new password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password_again = forms.CharField(
        label=_("new password again"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "badge_id", "language", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = selectors.site_list(user=self.user)
        self.fields["language"] = forms.ChoiceField(
            label=_("language"),
            required=False,
            choices=[("", _("(site default)")), *self._languages()],
        )
        if self.instance.pk:
            self.fields["roles"].initial = self.instance.roles
            self.fields["sites"].initial = list(self.instance.sites.all())
            self.fields["password"].help_text = _("Leave empty to keep the current password.")

    @staticmethod
    def _languages():
        from django.conf import settings

        return settings.LANGUAGES

    def clean_badge_id(self):
        return self.cleaned_data.get("badge_id") or None

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password or again:
            if password != again:
                self.add_error("password_again", _("The two passwords differ."))
            else:
                probe = self.instance if self.instance.pk else User(**{k: data.get(k) for k in ("username", "email")})
                try:
                    validate_password(password, probe)
                except DjangoValidationError as exc:
                    self.add_error("password", exc)
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("password_again", None)
        if not data.get("password"):
            data.pop("password", None)
        data["sites"] = list(data["sites"])
        return data


class WebhookForm(ServiceForm):
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        min_length=16,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("At least 16 characters; the receiver checks the HMAC-SHA256 signature with it."),
    )
    events = forms.CharField(
        label=_("events"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One event name per line, or a prefix ending in '*' (wms.*). Empty means all."),
    )

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = Webhook
        fields = ["name", "url", "secret", "events", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["events"] = "\n".join(self.instance.events or [])
            self.initial["secret"] = ""
            self.fields["secret"].help_text = _("Leave empty to keep the current secret.")
        else:
            self.fields["secret"].required = True

    def clean_events(self):
        text = self.cleaned_data.get("events") or ""
        return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]

    def clean_secret(self):
        secret = self.cleaned_data.get("secret")
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class SignatureForm(forms.Form):
    """An electronic signature: the signer re-enters the password and says what it means.

    Approval pages embed it with `{% include "core/_signature_form.html" with form=... %}` inside
    their own <form> and call `form.sign(record=...)` (or `core.services.signatures.sign` with
    `form.signature_data()`) inside the transaction of the change they approve.
    """

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    meaning = forms.ChoiceField(
        label=_("Meaning of the signature"), choices=SignatureMeaning.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user=None, meanings=None, prefix="signature", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        self.user = user
        if meanings:
            self.fields["meaning"].choices = [c for c in SignatureMeaning.choices if c[0] in meanings]
            if len(meanings) == 1:
                self.fields["meaning"].initial = meanings[0]

    def signature_data(self) -> dict:
        return {
            "user": self.user,
            "password": self.cleaned_data["password"],
            "meaning": self.cleaned_data["meaning"],
            "reason": self.cleaned_data.get("comment", ""),
        }

    def sign(self, *, record):
        """Sign `record`; a wrong password raises SignatureInvalid and nothing is stored."""
        from core.services.signatures import sign

        return sign(record=record, **self.signature_data())


class SignInForm(auth_forms.AuthenticationForm):
    """The desk's sign-in: a badge id works in the user-name field too (core.backends), and the
    refusal says so."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("This user name or badge and password do not match. Passwords are case-sensitive."),
    }


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    """The admin's password page, through `change_password` (which revokes the API tokens).

    The admin has already checked that the editor may change users.
    """

    def set_password_and_save(self, user, commit=True, **kwargs):
        from core.services.users import change_password

        usable = self.cleaned_data.get("set_usable_password", True)
        return change_password(instance=user, user=None, password=self.cleaned_data["password1"] if usable else None)


class ApprovalDecisionForm(forms.Form):
    """Approve or reject one request of the inbox, signed with the password. The meaning of the
    signature follows from the decision; the service checks it against the kind's."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    meaning = forms.ChoiceField(choices=SignatureMeaning.choices)
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DelegationForm(forms.Form):
    """Hand one's decisions of a role to a colleague of that role for a period."""

    delegate = forms.ModelChoiceField(label=_("Decides in my place"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=())
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args, user, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
        colleagues = User.objects.filter(is_active=True, groups__name__in=roles).exclude(pk=user.pk)
        if not (user.is_superuser or user.has_role(Role.ADMIN)):
            colleagues = colleagues.filter(sites__in=user.sites.all())
        self.fields["delegate"].queryset = colleagues.distinct().order_by("first_name", "last_name", "username")
        self.fields["delegate"].label_from_instance = lambda u: u.get_full_name() or u.username
