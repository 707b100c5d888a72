"""factory-boy factories for quality master data."""

from decimal import Decimal

import factory

from qms.models import Characteristic, InspectionPlan
from tests.factories import ItemFactory, UnitFactory


class CharacteristicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Characteristic

    item = factory.SubFactory(ItemFactory)
    stage = "incoming"
    code = factory.Sequence(lambda n: f"CH-{n:03d}")
    name = "Inside diameter"
    kind = "variable"
    nominal = Decimal("74.000")
    lsl = Decimal("73.950")
    usl = Decimal("74.050")
    unit = factory.SubFactory(UnitFactory, code="mm", name="millimetre", dimension="length", ratio=Decimal("0.001"))
    gauge = "Bore gauge BG-2"
    chart = "xbar_r"
    subgroup_size = 5


class InspectionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InspectionPlan

    code = factory.Sequence(lambda n: f"IP-{n:03d}")
    name = "Incoming check"
    item = factory.SubFactory(ItemFactory)
    stage = "incoming"
    sampling = "z14"
    aql = "0.65"
    inspection_level = "II"
