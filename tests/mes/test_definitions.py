from decimal import Decimal

import pytest

from core.errors import SignatureInvalid, ValidationFailed
from core.services.signatures import signatures_for
from mes.models import BOM, DefinitionStatus
from mes.services import definitions
from mes.services.definitions import BOMCycle
from tests.factories import ItemFactory
from tests.mes.factories import PASSWORD, production_plant

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    return production_plant()


def test_approving_a_new_version_makes_the_old_one_obsolete_and_is_signed(plant):
    v2 = definitions.create_bom(
        site=plant.site, item=plant.product, user=plant.planner, lines=[{"component": plant.shaft, "quantity": "2"}]
    )
    assert v2.version == 2 and v2.status == DefinitionStatus.DRAFT

    definitions.approve_bom(bom=v2, user=plant.planner, password=PASSWORD, reason="new shaft")

    plant.bom.refresh_from_db()
    v2.refresh_from_db()
    assert plant.bom.status == DefinitionStatus.OBSOLETE
    assert v2.status == DefinitionStatus.APPROVED and v2.approved_by == plant.planner
    assert signatures_for(v2).get().meaning == "approved"


def test_a_wrong_password_approves_nothing(plant):
    v2 = definitions.create_bom(
        site=plant.site, item=plant.product, user=plant.planner, lines=[{"component": plant.shaft, "quantity": "2"}]
    )
    with pytest.raises(SignatureInvalid):
        definitions.approve_bom(bom=v2, user=plant.planner, password="wrong")
    v2.refresh_from_db()
    plant.bom.refresh_from_db()
    assert v2.status == DefinitionStatus.DRAFT and plant.bom.status == DefinitionStatus.APPROVED


def test_a_bom_cycle_is_refused_naming_the_items(plant):
    sub = ItemFactory(code="T-SUB", type="semi_finished")
    definitions.create_bom(
        site=plant.site, item=sub, user=plant.planner, lines=[{"component": plant.product, "quantity": "1"}]
    )
    with pytest.raises(BOMCycle) as refused:
        definitions.create_bom(
            site=plant.site, item=plant.product, user=plant.planner, lines=[{"component": sub, "quantity": "1"}]
        )
    assert "T-FG → T-SUB → T-FG" in str(refused.value.message)
    assert BOM.objects.filter(item=plant.product).count() == 1


def test_phantoms_are_exploded_with_scrap_factors(plant):
    kit = ItemFactory(code="T-KIT", type="semi_finished")
    kit_bom = definitions.create_bom(
        site=plant.site, item=kit, user=plant.planner, lines=[{"component": plant.screw, "quantity": "2"}]
    )
    definitions.approve_bom(bom=kit_bom, user=plant.planner, password=PASSWORD)
    bom = definitions.create_bom(
        site=plant.site,
        item=plant.product,
        user=plant.planner,
        lines=[
            {"component": plant.shaft, "quantity": "1", "scrap_factor": "10"},
            {"component": kit, "quantity": "3", "phantom": True},
        ],
    )
    needs = {n["component"].code: n["required"] for n in definitions.explode_bom(bom, quantity=Decimal(10))}
    assert needs == {"T-SHAFT": Decimal("11"), "T-SCREW": Decimal("60")}


def test_a_routing_refuses_equipment_of_another_work_centre(plant):
    with pytest.raises(ValidationFailed):
        definitions.create_routing(
            site=plant.site,
            item=plant.product,
            user=plant.planner,
            operations=[{"sequence": 10, "work_centre": plant.assembly, "eligible_equipment": [plant.lathe1]}],
        )
