"""Django admin for core records: a back office for administrators. Everyday editing happens
on the master-data pages (core/views.py), which go through the services."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.forms import AdminPasswordChangeForm
from core.models import (
    ApprovalDelegation,
    ApprovalRequest,
    Company,
    Currency,
    Event,
    ExchangeRate,
    Item,
    OutboxMessage,
    Partner,
    Signature,
    Site,
    Unit,
    UnitConversion,
    User,
    Webhook,
)
from core.selectors.master_data import may_see_badge


@admin.register(Currency)
class CurrencyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "decimals"]
    search_fields = ["code", "name"]


@admin.register(ExchangeRate)
class ExchangeRateAdmin(SimpleHistoryAdmin):
    list_display = ["from_currency", "to_currency", "rate", "valid_from"]
    list_filter = ["from_currency", "to_currency"]
    date_hierarchy = "valid_from"


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "base_currency"]
    search_fields = ["code", "name"]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "company", "time_zone", "active"]
    list_filter = ["company", "active"]
    search_fields = ["code", "name"]


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "dimension", "ratio", "decimals"]
    list_filter = ["dimension"]
    search_fields = ["code", "name"]


class UnitConversionInline(admin.TabularInline):
    model = UnitConversion
    extra = 0


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "type", "base_unit", "tracking", "abc_class", "active"]
    list_filter = ["type", "tracking", "abc_class", "inspection_required", "active"]
    search_fields = ["code", "name", "description"]
    inlines = [UnitConversionInline]


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "is_customer", "is_supplier", "currency", "active"]
    list_filter = ["is_customer", "is_supplier", "active"]
    search_fields = ["code", "name", "tax_id"]


class FloorPinUserChangeForm(UserChangeForm):
    """The user form with a write-only shop-floor PIN: typed here, stored hashed, never shown."""

    new_floor_pin = forms.RegexField(
        label=_("New floor PIN"),
        regex=r"^[0-9]{4,8}$",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("4 to 8 digits for signing in at a shop-floor terminal with the badge. Empty: unchanged."),
        error_messages={"invalid": _("Use 4 to 8 digits.")},
    )
    clear_floor_pin = forms.BooleanField(label=_("Remove the floor PIN"), required=False)

    def save(self, commit=True):
        user = super().save(commit=False)
        if self.cleaned_data.get("clear_floor_pin"):
            user.set_floor_pin("")
        elif self.cleaned_data.get("new_floor_pin"):
            user.set_floor_pin(self.cleaned_data["new_floor_pin"])
        if commit:
            user.save()
            self.save_m2m()
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    form = FloorPinUserChangeForm
    list_display = ["username", "first_name", "last_name", "badge_id", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "sites"]
    search_fields = ["username", "first_name", "last_name", "email", "badge_id"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Plant"), {"fields": ["sites", "badge_id", "language", "new_floor_pin", "clear_floor_pin"]}),
    ]
    filter_horizontal = ["groups", "user_permissions", "sites"]
    change_password_form = AdminPasswordChangeForm

    # A badge id is half of a sign-in: shown and searched only for those who may see it.
    def get_list_display(self, request):
        return [f for f in super().get_list_display(request) if f != "badge_id" or may_see_badge(request.user)]

    def get_search_fields(self, request):
        return [f for f in super().get_search_fields(request) if f != "badge_id" or may_see_badge(request.user)]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_see_badge(request.user, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "badge_id"]})
            for name, options in fieldsets
        ]


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "active", "created_at"]
    exclude = ["secret"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are evidence (signatures, events, deliveries): looked at, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ["signed_at", "full_name", "meaning", "content_type", "object_id"]
    list_filter = ["meaning", "content_type"]
    search_fields = ["full_name", "user__username", "object_id"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyAdmin):
    """Decisions are taken in the inbox and the API (they need the e-signature); this is a view."""

    list_display = ["requested_at", "kind", "object_id", "site", "status", "urgency", "level", "decided_by"]
    list_filter = ["kind", "status", "urgency"]
    search_fields = ["object_id", "requested_by__username", "decided_by__username"]
    date_hierarchy = "requested_at"


@admin.register(ApprovalDelegation)
class ApprovalDelegationAdmin(ReadOnlyAdmin):
    list_display = ["delegator", "delegate", "role", "starts_at", "ends_at", "revoked_at"]
    search_fields = ["delegator__username", "delegate__username"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "name", "site"]
    list_filter = ["name"]
    date_hierarchy = "occurred_at"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "channel", "event", "status", "attempts", "next_attempt_at"]
    list_filter = ["channel", "status"]
