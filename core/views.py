from functools import partial

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from core import forms, search
from core.errors import DomainError
from core.floor.views import floor_view
from core.middleware import SESSION_SITE_KEY
from core.models import Company, Currency, ExchangeRate, Item, Partner, Role, Site, Unit, UnitConversion, User, Webhook
from core.object_views import ObjectPage
from core.selectors import master_data as selectors
from core.services import master_data
from core.services import users as user_services


@login_required
def home(request):
    """Where a user lands: the page of their role (an operator on the shop floor, a supervisor on
    the dashboard), else the user's modules. `?desk=1` always shows the modules."""
    landing = None if request.GET.get("desk") else landing_page(request.user)
    return redirect(landing) if landing else render(request, "core/home.html")


@login_required
def search_records(request):
    """The desk search box: one exact hit (a code, a number, a scanned label) opens the record;
    otherwise the hits are listed."""
    text = search.clean_query(request.GET.get("q", ""))
    hits = search.find(user=request.user, text=text)
    exact = [hit for hit in hits if hit.exact]
    if len(exact) == 1:
        return redirect(exact[0].url)
    return render(request, "core/search.html", {"query": text, "hits": hits})


def landing_page(user) -> str | None:
    """The URL name of the landing page of the user's first role that has one (apps declare
    `landing = {role: url name}` on their AppConfig)."""
    declared = {}
    for config in apps.get_app_configs():
        for role, url_name in getattr(config, "landing", {}).items():
            declared.setdefault(role, url_name)
    roles = set(user.roles)
    return next((declared[role] for role, _label in Role.choices if role in roles and role in declared), None)


@floor_view(site_required=False)
def tablet_home(request):
    return render(request, "core/tablet_home.html")


@login_required
@require_POST
def set_site(request):
    site = Site.objects.for_user(request.user).filter(code=request.POST.get("site"), active=True).first()
    if site is not None:
        request.session[SESSION_SITE_KEY] = site.code
    back = request.META.get("HTTP_REFERER", "/")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    return redirect(back)


# Master-data pages: one generic mechanism (core.object_views) parameterised per model.

PAGES = {
    "company": ObjectPage(
        model=Company,
        name="company",
        selector=selectors.company_list,
        form_class=forms.CompanyForm,
        list_columns=["code", "name", "base_currency"],
        detail_fields=["code", "name", "base_currency", "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=Company),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        filters=["base_currency"],
    ),
    "site": ObjectPage(
        model=Site,
        name="site",
        selector=selectors.site_list,
        form_class=forms.SiteForm,
        list_columns=["code", "name", "company", "time_zone", "active"],
        detail_fields=["code", "name", "company", "time_zone", "address", "active", "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=Site),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        filters=["company", "active"],
        filter_selectors={"company": selectors.company_list},
    ),
    "currency": ObjectPage(
        model=Currency,
        name="currency",
        selector=selectors.currency_list,
        form_class=forms.CurrencyForm,
        list_columns=["code", "name", "decimals"],
        detail_fields=["code", "name", "decimals", "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=Currency),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
    ),
    "exchangerate": ObjectPage(
        model=ExchangeRate,
        name="exchangerate",
        selector=selectors.exchange_rate_list,
        form_class=forms.ExchangeRateForm,
        list_columns=["from_currency", "to_currency", "rate", "valid_from"],
        detail_fields=["from_currency", "to_currency", "rate", "valid_from", "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=ExchangeRate),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        search_fields=["from_currency__code", "to_currency__code"],
        filters=["from_currency", "to_currency"],
    ),
    "unit": ObjectPage(
        model=Unit,
        name="unit",
        selector=selectors.unit_list,
        form_class=forms.UnitForm,
        list_columns=["code", "name", "dimension", "ratio", "decimals"],
        detail_fields=["code", "name", "dimension", "ratio", "decimals", "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=Unit),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        filters=["dimension"],
    ),
    "item": ObjectPage(
        model=Item,
        name="item",
        selector=selectors.item_list,
        form_class=forms.ItemForm,
        list_columns=["code", "name", "type", "base_unit", "tracking", "abc_class", "standard_cost", "active"],
        detail_fields=[*Item.EDITABLE_FIELDS, "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=Item),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        search_fields=["code", "name", "description"],
        filters=["type", "tracking", "abc_class", "inspection_required", "active"],
        detail_panels=["core/_item_conversions.html"],
        detail_context=lambda request, item: _item_conversions_context(request, item),
    ),
    "partner": ObjectPage(
        model=Partner,
        name="partner",
        selector=selectors.partner_list,
        form_class=forms.PartnerForm,
        list_columns=["code", "name", "is_customer", "is_supplier", "currency", "payment_terms_days", "active"],
        detail_fields=[*Partner.EDITABLE_FIELDS, "created_at", "updated_at"],
        create_service=partial(master_data.create_record, model=Partner),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        search_fields=["code", "name", "tax_id", "email"],
        filters=["is_customer", "is_supplier", "currency", "active"],
    ),
    "user": ObjectPage(
        model=User,
        name="user",
        selector=selectors.user_list,
        form_class=forms.UserForm,
        list_columns=["username", "get_full_name", "roles", "sites", "badge_id", "is_active"],
        detail_fields=[
            "username",
            "first_name",
            "last_name",
            "email",
            "badge_id",
            "language",
            "roles",
            "sites",
            "is_active",
            "last_login",
            "date_joined",
        ],
        create_service=user_services.create_user,
        update_service=user_services.update_user,
        delete_service=user_services.deactivate_user,
        delete_label=_("Deactivate"),
        search_fields=["username", "first_name", "last_name", "badge_id", "email"],
        filters=["is_active"],
        signable=False,
        labels={"get_full_name": _("name"), "roles": _("roles")},
        private={"badge_id": selectors.may_see_badge},
        display={
            "roles": lambda u: ", ".join(str(Role(g.name).label) for g in u.groups.all() if g.name in Role.values),
            "sites": lambda u: ", ".join(s.code for s in u.sites.all()),
        },
        detail_panels=["core/_user_token.html"],
        detail_context=lambda request, user: {"is_me": user.pk == request.user.pk},
    ),
    "webhook": ObjectPage(
        model=Webhook,
        name="webhook",
        selector=selectors.webhook_list,
        form_class=forms.WebhookForm,
        list_columns=["name", "url", "events", "active"],
        detail_fields=["name", "url", "events", "active", "created_at"],
        create_service=partial(master_data.create_record, model=Webhook),
        update_service=master_data.update_record,
        delete_service=master_data.delete_record,
        search_fields=["name", "url"],
        filters=["active"],
        signable=False,
        detail_panels=["core/_webhook_deliveries.html"],
        detail_context=lambda request, hook: {
            "deliveries": selectors.webhook_deliveries(user=request.user, webhook=hook)
        },
    ),
}


def _item_conversions_context(request, item) -> dict:
    user = request.user
    return {
        "conversions": item.unit_conversions.select_related("unit").order_by("unit__code"),
        "can_add_conversion": user.has_perm("core.add_unitconversion") and user.has_perm("core.change_unitconversion"),
        "can_delete_conversion": user.has_perm("core.delete_unitconversion"),
        "conversion_form": forms.UnitConversionForm(user=user, item=item),
    }


def _scoped_item(request, pk):
    item = selectors.item_list(user=request.user).filter(pk=pk).first()
    if item is None:
        raise Http404(_("No such record."))
    return item


@login_required
@require_POST
def item_conversion_save(request, pk):
    """Add a pack or cross-dimension conversion to an item, or change the factor of one."""
    if not (request.user.has_perm("core.add_unitconversion") and request.user.has_perm("core.change_unitconversion")):
        raise DjangoPermissionDenied
    item = _scoped_item(request, pk)
    form = forms.UnitConversionForm(request.POST, user=request.user, item=item)
    if form.is_valid():
        data = form.service_data()
        existing = item.unit_conversions.filter(unit=data["unit"]).first()
        try:
            if existing is None:
                master_data.create_record(model=UnitConversion, user=request.user, data=data)
            else:
                master_data.update_record(instance=existing, user=request.user, data={"factor": data["factor"]})
        except (DjangoValidationError, DomainError) as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, _("Conversion saved."))
            return redirect("core:item-detail", pk=item.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("core:item-detail", pk=item.pk)


@login_required
@require_POST
def item_conversion_delete(request, pk, conversion_pk):
    if not request.user.has_perm("core.delete_unitconversion"):
        raise DjangoPermissionDenied
    item = _scoped_item(request, pk)
    conversion = get_object_or_404(UnitConversion, pk=conversion_pk, item=item)
    master_data.delete_record(instance=conversion, user=request.user)
    messages.success(request, _("Conversion removed."))
    return redirect("core:item-detail", pk=item.pk)


@login_required
def my_token(request):
    """The signed-in user's API token: create or rotate it; the key is shown once."""
    token = Token.objects.filter(user=request.user).first()
    new_key = None
    if request.method == "POST":
        token = user_services.issue_token(user=request.user)
        new_key = token.key
    return render(request, "core/my_token.html", {"token": token, "new_key": new_key})
