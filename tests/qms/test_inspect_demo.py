import pytest

from core import demo
from qms.models import InspectionTask

pytestmark = pytest.mark.django_db


def test_the_demo_plant_has_an_incoming_inspection_for_each_quarantined_pcb_lot():
    demo.seed_demo(password="demo-pass-123")
    tasks = InspectionTask.objects.select_related("lot", "plan")
    assert {(t.lot.code.split("-", 1)[1], t.plan.code, t.status) for t in tasks} == {
        ("PCB2611", "INC-PCB-INV01", "open")
    }
    assert tasks.count() == 2 and {t.sample_size for t in tasks} == {20}  # 120 pcs, AQL 0.65, II: F, 20
    again = demo.seed_demo(password="demo-pass-123")
    assert not again.created and InspectionTask.objects.count() == 2
