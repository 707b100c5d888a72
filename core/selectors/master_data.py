"""Reads of master data shared by the API, the pages and reports."""

from django.db.models import Q, QuerySet

from core.models import Company, Currency, ExchangeRate, Item, Partner, Site, Unit, User, Webhook


def site_list(*, user) -> QuerySet[Site]:
    return Site.objects.for_user(user).select_related("company")


def company_list(*, user) -> QuerySet[Company]:
    return Company.objects.for_user(user).select_related("base_currency")


def currency_list(*, user) -> QuerySet[Currency]:
    return Currency.objects.all()


def exchange_rate_list(*, user) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.select_related("from_currency", "to_currency")


def unit_list(*, user) -> QuerySet[Unit]:
    return Unit.objects.all()


def item_list(*, user) -> QuerySet[Item]:
    return Item.objects.select_related("base_unit")


def item_list_with_conversions(*, user) -> QuerySet[Item]:
    """Items with their pack conversions, for the API's item records (one query for all)."""
    return item_list(user=user).prefetch_related("unit_conversions__unit")


def partner_list(*, user) -> QuerySet[Partner]:
    return Partner.objects.select_related("currency")


def user_list(*, user) -> QuerySet[User]:
    """Admins see everybody; others see the people of their sites."""
    from core.scoping import user_site_ids

    users = User.objects.prefetch_related("groups", "sites")
    site_ids = user_site_ids(user)
    if site_ids is None:
        return users
    return users.filter(Q(pk__in=User.objects.filter(sites__in=site_ids).values("pk")) | Q(pk=user.pk))


def may_see_badge(viewer, person=None) -> bool:
    """A badge id is half of a sign-in: only administrators and the person themselves see it
    (on pages, in the admin, in the API) or may find someone by it. `person` None asks whether
    the viewer sees everybody's."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.is_superuser or viewer.has_role("admin"):
        return True
    return person is not None and person.pk == viewer.pk


def webhook_list(*, user) -> QuerySet[Webhook]:
    return Webhook.objects.all()


def webhook_deliveries(*, user, webhook, limit: int = 20):
    """The latest deliveries to a webhook, newest first, for its page (admins only see webhooks)."""
    from core.models import OutboxMessage

    return OutboxMessage.objects.filter(webhook=webhook).select_related("event").order_by("-created_at")[:limit]
