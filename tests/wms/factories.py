"""factory-boy factories for the warehouse."""

from decimal import Decimal

import factory

from tests.factories import ItemFactory, SiteFactory, UserFactory
from wms.models import Bin, Lot, Warehouse, Zone


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    site = factory.SubFactory(SiteFactory)
    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone
        django_get_or_create = ("warehouse", "code")

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.LazyAttribute(lambda o: o.kind.upper()[:3])
    name = factory.LazyAttribute(lambda o: o.kind.title())
    kind = "raw"


class BinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bin
        django_get_or_create = ("code",)

    zone = factory.SubFactory(ZoneFactory)
    warehouse = factory.SelfAttribute("zone.warehouse")
    aisle = "A"
    rack = factory.Sequence(lambda n: f"{n % 100:02d}")
    level = "1"
    position = factory.Sequence(lambda n: f"{n:03d}")
    code = factory.LazyAttribute(lambda o: f"{o.warehouse.code}-{o.aisle}-{o.rack}-{o.level}-{o.position}")
    distance_rank = 10


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot
        django_get_or_create = ("item", "code")

    item = factory.SubFactory(ItemFactory, tracking="lot")
    code = factory.Sequence(lambda n: f"L{n:05d}")
    site = factory.SubFactory(SiteFactory)


def stock_in(*, bin, item, quantity, lot=None, user=None):
    """Put stock in a bin through the ledger (a receipt), as the plant would."""
    from wms.services.ledger import post_move

    user = user or UserFactory(roles=["warehouse"], sites=[bin.warehouse.site])
    return post_move(
        kind="receipt", item=item, quantity=Decimal(quantity), lot=lot, to_bin=bin, user=user, reference="test stock"
    )


class StockPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "wms.StockPolicy"
        django_get_or_create = ("site", "item")

    site = factory.SubFactory(SiteFactory)
    item = factory.SubFactory(ItemFactory)
    reorder_point = Decimal("10")
    safety_stock = Decimal("0")


def backdate_move(move, when):
    """Give a posted move another time (the ledger stamps moves with now; KPI and alert tests need history)."""
    from wms.models import StockMove

    StockMove.objects.filter(pk=move.pk).update(created_at=when)
    return move
