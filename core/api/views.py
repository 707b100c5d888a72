from core.api import filters, serializers
from core.api.viewsets import ServiceModelViewSet, service_viewset
from core.models import Company, Currency, ExchangeRate, Item, Partner, Site, Unit, Webhook
from core.selectors import master_data as selectors
from core.services import master_data as services
from core.services import users as user_services


def _master_data_viewset(model, serializer, selector, filterset=None, search=("code", "name"), ordering=("code",)):
    """A viewset for one master-data model; every write goes through core.services.master_data."""
    viewset = service_viewset(
        model, serializer, selector, services, filterset=filterset, search=search, ordering=ordering
    )
    viewset.__doc__ = None
    return viewset


CurrencyViewSet = _master_data_viewset(Currency, serializers.CurrencySerializer, selectors.currency_list)
ExchangeRateViewSet = _master_data_viewset(
    ExchangeRate,
    serializers.ExchangeRateSerializer,
    selectors.exchange_rate_list,
    search=("from_currency__code", "to_currency__code"),
    ordering=("valid_from",),
)
CompanyViewSet = _master_data_viewset(Company, serializers.CompanySerializer, selectors.company_list)
SiteViewSet = _master_data_viewset(Site, serializers.SiteSerializer, selectors.site_list, filters.SiteFilter)
UnitViewSet = _master_data_viewset(Unit, serializers.UnitSerializer, selectors.unit_list)
ItemViewSet = _master_data_viewset(
    Item, serializers.ItemSerializer, selectors.item_list_with_conversions, filters.ItemFilter
)
PartnerViewSet = _master_data_viewset(
    Partner, serializers.PartnerSerializer, selectors.partner_list, filters.PartnerFilter
)
WebhookViewSet = _master_data_viewset(
    Webhook, serializers.WebhookSerializer, selectors.webhook_list, search=("name", "url"), ordering=("name",)
)


class UserViewSet(ServiceModelViewSet):
    from core.models import User as _User

    queryset = _User.objects.none()
    serializer_class = serializers.UserSerializer
    selector = staticmethod(selectors.user_list)
    create_service = staticmethod(user_services.create_user)
    update_service = staticmethod(user_services.update_user)
    delete_service = staticmethod(user_services.deactivate_user)
    filterset_class = filters.UserFilter
    ordering_fields = ["username"]
    ordering = ["username"]

    @property
    def search_fields(self):
        """`?search=` matches badges only for those who may see them."""
        request = getattr(self, "request", None)
        fields = ["username", "first_name", "last_name"]
        if request is not None and selectors.may_see_badge(request.user):
            fields.append("badge_id")
        return fields
