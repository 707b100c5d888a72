from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CodeField
from core.models import Company, Currency, ExchangeRate, Item, Partner, Role, Site, Unit, UnitConversion, User, Webhook
from core.selectors.master_data import may_see_badge
from core.units import validate_positive


class CurrencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Currency
        fields = ["id", "code", "name", "decimals"]


class ExchangeRateSerializer(serializers.ModelSerializer):
    from_currency = CodeField(queryset=Currency.objects.all())
    to_currency = CodeField(queryset=Currency.objects.all())

    class Meta:
        model = ExchangeRate
        fields = ["id", "from_currency", "to_currency", "rate", "valid_from"]


class CompanySerializer(serializers.ModelSerializer):
    base_currency = CodeField(queryset=Currency.objects.all())

    class Meta:
        model = Company
        fields = ["id", "code", "name", "base_currency"]


class SiteSerializer(serializers.ModelSerializer):
    company = CodeField(queryset=Company.objects.all())

    class Meta:
        model = Site
        fields = ["id", "code", "name", "company", "time_zone", "address", "active"]


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "code", "name", "dimension", "ratio", "decimals"]
        extra_kwargs = {"ratio": {"validators": [validate_positive]}}


class UnitConversionSerializer(serializers.ModelSerializer):
    unit = CodeField(queryset=Unit.objects.all())

    class Meta:
        model = UnitConversion
        fields = ["unit", "factor"]


class ItemSerializer(serializers.ModelSerializer):
    base_unit = CodeField(queryset=Unit.objects.all())
    conversions = UnitConversionSerializer(source="unit_conversions", many=True, read_only=True)

    class Meta:
        model = Item
        fields = ["id", *Item.EDITABLE_FIELDS, "conversions"]


class PartnerSerializer(serializers.ModelSerializer):
    currency = CodeField(queryset=Currency.objects.all())

    class Meta:
        model = Partner
        fields = ["id", *Partner.EDITABLE_FIELDS]

    def validate(self, attrs):
        is_customer = attrs.get("is_customer", getattr(self.instance, "is_customer", False))
        is_supplier = attrs.get("is_supplier", getattr(self.instance, "is_supplier", False))
        if not (is_customer or is_supplier):
            raise serializers.ValidationError({"is_customer": [_("A partner is a customer, a supplier or both.")]})
        return attrs


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), required=False)
    sites = CodeField(queryset=Site.objects.all(), many=True, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "first_name",
            "last_name",
            "email",
            "badge_id",
            "language",
            "is_active",
            "roles",
            "sites",
        ]
        extra_kwargs = {"badge_id": {"required": False, "allow_null": True}}

    def validate_password(self, value):
        validate_password(value, self.instance)
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = instance.roles
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if viewer is not None and not may_see_badge(viewer, instance):
            data.pop("badge_id", None)
        return data


class WebhookSerializer(serializers.ModelSerializer):
    secret = serializers.CharField(write_only=True, min_length=16)
    events = serializers.ListField(child=serializers.CharField(max_length=100), required=False)

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "secret", "events", "active"]
