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


class ExpectedReceiptFactory(factory.django.DjangoModelFactory):
    """An expected receipt; add lines with ExpectedReceiptLineFactory(receipt=...)."""

    class Meta:
        model = "wms.ExpectedReceipt"
        django_get_or_create = ("number",)

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: f"GR-T-{n:06d}")


class ExpectedReceiptLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "wms.ExpectedReceiptLine"

    receipt = factory.SubFactory(ExpectedReceiptFactory)
    line_no = factory.Sequence(lambda n: n + 1)
    item = factory.SubFactory(ItemFactory)
    quantity = Decimal("100")


class PickListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "wms.PickList"
        django_get_or_create = ("number",)

    site = factory.SubFactory(SiteFactory)
    number = factory.Sequence(lambda n: f"PL-T-{n:06d}")
    purpose = "shipment"


def warehouse_layout(site=None):
    """A site's warehouse with a receiving bin, a quarantine bin and a raw-material bin, and a
    warehouse user of the site: what receiving, putaway and picking tests start from."""
    from types import SimpleNamespace

    site = site or SiteFactory()
    warehouse = WarehouseFactory(site=site)
    receiving = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="receiving"), distance_rank=1, pick_sequence=1)
    quarantine = BinFactory(zone=ZoneFactory(warehouse=warehouse, kind="quarantine"), distance_rank=2)
    raw_zone = ZoneFactory(warehouse=warehouse, kind="raw")
    raw = BinFactory(zone=raw_zone, distance_rank=10, pick_sequence=10)
    user = UserFactory(roles=["warehouse"], sites=[site])
    return SimpleNamespace(
        site=site,
        warehouse=warehouse,
        receiving=receiving,
        quarantine=quarantine,
        raw_zone=raw_zone,
        raw=raw,
        user=user,
    )
