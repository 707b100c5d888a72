"""What the inspection tests start from: an item that needs incoming inspection, its plan with
one measured and one pass/fail characteristic, a warehouse and an inspector of the site."""

from decimal import Decimal
from types import SimpleNamespace

from core.roles import sync_roles
from tests.factories import ItemFactory, UserFactory
from tests.qms.factories import CharacteristicFactory, InspectionPlanFactory
from tests.wms.factories import warehouse_layout
from wms.services import receiving

PASSWORD = "correct-horse-battery"


def incoming_setup(*, sampling="fixed", sample_size=3, aql="", level="", site=None):
    sync_roles()
    layout = warehouse_layout(site)
    item = ItemFactory(tracking="lot", inspection_required=True)
    bore = CharacteristicFactory(item=item, code="BORE", subgroup_size=2, chart="xbar_r")
    looks = CharacteristicFactory(
        item=item,
        code="LOOKS",
        name="Surface",
        kind="attribute",
        nominal=None,
        lsl=None,
        usl=None,
        unit=None,
        chart="np",
        defect_types=["scratch", "dent"],
    )
    plan = InspectionPlanFactory(
        item=item,
        sampling=sampling,
        sample_size=sample_size if sampling == "fixed" else None,
        aql=aql,
        inspection_level=level,
    )
    plan.characteristics.set([bore, looks])
    inspector = UserFactory(roles=["quality"], sites=[layout.site])
    return SimpleNamespace(
        layout=layout, site=layout.site, item=item, bore=bore, looks=looks, plan=plan, inspector=inspector
    )


def receive(setup, quantity="20", lot_code="SUP-1"):
    return receiving.receive_goods(
        site=setup.site, item=setup.item, quantity=Decimal(quantity), user=setup.layout.user, lot_code=lot_code
    )


def full_results(values=("74.00", "74.01", "73.99"), count=0):
    return [
        {"characteristic": "BORE", "values": list(values)},
        {"characteristic": "LOOKS", "count": count},
    ]
