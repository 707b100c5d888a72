"""The demo shop floor seed_demo builds (ARCHITECTURE.md), and that loading it twice changes nothing."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from core.models import Site
from mes.models import (
    BOM,
    Area,
    DowntimeReason,
    Equipment,
    Routing,
    ScrapReason,
    ShiftCalendar,
    WorkCentre,
    WorkOrder,
)
from wms.models import StockQuant

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


def test_seeding_again_adds_no_production_rows(seeded):
    mes_models = [m for m in apps.get_models() if m._meta.app_label == "mes"]
    before = {m._meta.label: m.objects.count() for m in mes_models}
    call_command("seed_demo", verbosity=0)
    assert {m._meta.label: m.objects.count() for m in mes_models} == before


@pytest.mark.parametrize("site_code", ["SZ", "MTY"])
def test_each_site_has_a_plant_that_can_make_the_compressor(seeded, site_code):
    site = Site.objects.get(code=site_code)
    assert Area.objects.filter(site=site).count() >= 2
    assert ShiftCalendar.objects.get(site=site).shifts.filter(breaks__isnull=False).exists()
    centres = WorkCentre.objects.filter(site=site)
    assert centres.count() >= 3 and all(c.equipment.exists() and c.output_bin for c in centres)

    bom = BOM.objects.get(site=site, item__code="FG-RC25", status="approved")
    components = {line.component.code for line in bom.lines.all()}
    sub_levels = BOM.objects.filter(site=site, item__code__in=components, status="approved")
    assert sub_levels.exists(), "the BOM has more than one level"
    routing = Routing.objects.get(site=site, item__code="FG-RC25", status="approved")
    steps = list(routing.operations.all())
    assert len(steps) >= 3 and all(step.work_centre.equipment.exists() for step in steps)

    line_side = {c.line_side_bin for c in centres}
    in_stock = set(StockQuant.objects.filter(bin__in=line_side, quantity__gt=0).values_list("item__code", flat=True))
    assert {"SF-PUMP25", "SF-STATOR25", "HSG-SHELL25", "HSG-CAP25", "SCR-M4X10"} <= in_stock | set(
        StockQuant.objects.filter(site=site, bin__zone__kind="wip", quantity__gt=0).values_list("item__code", flat=True)
    )
    assert WorkOrder.objects.filter(site=site, status="released").exists()


def test_reason_trees_and_company_wide_codes(seeded):
    for root, planned in (("PLANNED", True), ("UNPLANNED", False)):
        category = DowntimeReason.objects.get(code=root).children.first()
        assert category.children.exists() and category.planned is planned
    assert ScrapReason.objects.filter(parent__isnull=True).first().children.exists()
    codes = list(Equipment.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) and {c.split("-")[0] for c in codes} == {"SZ", "MTY"}


@pytest.mark.parametrize("site_code", ["SZ", "MTY"])
def test_demo_alert_rules_cover_temperature_pressure_vibration_and_stoppages(seeded, site_code):
    from mes.models import AlertRule, ProcessParameter

    rules = AlertRule.objects.filter(site__code=site_code, active=True)
    tags = " ".join(rules.values_list("tag", flat=True))
    for word in ("temp", "pressure", "vibration"):
        assert word in tags
    assert rules.filter(condition="state_for", state="down").exists()
    assert all(rule.recommended_actions for rule in rules)
    over = rules.get(condition="above", tag="spindle_temp")
    assert over.recommended_actions[0].startswith("Check coolant flow")
    assert ProcessParameter.objects.filter(routing_operation__routing__site__code=site_code, tag="temp").exists()


@pytest.mark.parametrize("site_code", ["SZ", "MTY"])
def test_every_routing_skill_has_a_labour_pool_and_the_lathes_a_changeover_matrix(seeded, site_code):
    from mes.models import Changeover, ItemSetupFamily, LabourPool, RoutingOperation

    site = Site.objects.get(code=site_code)
    skills = set(
        RoutingOperation.objects.filter(routing__site=site, routing__status="approved").values_list("skill", flat=True)
    )
    pools = {
        skill.casefold(): capacity
        for skill, capacity in LabourPool.objects.filter(site=site).values_list("skill", "capacity")
    }
    assert skills and all(skill.casefold() in pools for skill in skills)
    assert ItemSetupFamily.objects.filter(site=site, item__code="FG-RC25", family="R32").exists()
    assert Changeover.objects.filter(work_centre__code=f"{site_code}-CNC", minutes__gt=0).count() >= 2
