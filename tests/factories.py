"""factory-boy factories for core master data. Apps add theirs in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from core.models import Company, Currency, Item, Partner, Site, Unit, UnitConversion, User


class CurrencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Currency
        django_get_or_create = ("code",)

    code = "USD"
    name = "US dollar"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CO{n}")
    name = factory.LazyAttribute(lambda o: f"Company {o.code}")
    base_currency = factory.SubFactory(CurrencyFactory)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Plant {o.code}")
    company = factory.SubFactory(CompanyFactory)
    time_zone = "Asia/Shanghai"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = "pcs"
    name = "pieces"
    dimension = "count"
    ratio = Decimal("1")
    decimals = 0


def kg():
    return UnitFactory(code="kg", name="kilogram", dimension="mass", ratio=Decimal("1"), decimals=3)


def gram():
    return UnitFactory(code="g", name="gram", dimension="mass", ratio=Decimal("0.001"), decimals=1)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ITEM-{n:04d}")
    name = factory.LazyAttribute(lambda o: f"Item {o.code}")
    type = "raw"
    base_unit = factory.SubFactory(UnitFactory)
    tracking = "none"
    standard_cost = Decimal("2.5000")


class UnitConversionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitConversion

    item = factory.SubFactory(ItemFactory)
    unit = factory.SubFactory(UnitFactory, code="box", name="box of 50", dimension="count", ratio=Decimal("1"))
    factor = Decimal("50")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Partner {o.code}")
    is_supplier = True
    currency = factory.SubFactory(CurrencyFactory)


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(roles=["warehouse"], sites=[site])`."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*[Group.objects.get_or_create(name=role)[0] for role in extracted])
            self._roles_cache = None

    @factory.post_generation
    def sites(self, create, extracted, **kwargs):
        if create and extracted:
            self.sites.add(*extracted)
            self._site_ids_cache = None

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
