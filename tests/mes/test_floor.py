"""The operator terminal through the Django client: sign-in with badge and PIN, the machine's
dispatch list, the job screen's actions, pausing through the reason tree, reports (good, scrap,
a consumed lot, FEFO suggestions, a held lot refused, a resend applied once), and the offline
app's service worker and manifest."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from mes.models import DowntimeReason, OperationStatus, ProductionReport
from mes.selectors.terminal import fefo_suggestions, reason_level
from mes.services import operations
from tests.mes.factories import production_plant, released_order
from tests.wms.factories import LotFactory, stock_in
from wms.services import lots

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def plant():
    plant = production_plant()
    plant.operator.badge_id = "B-1001"
    plant.operator.set_floor_pin("4711")
    plant.operator.save()
    return plant


@pytest.fixture
def operator(client, plant):
    client.force_login(plant.operator)
    return client


def _running(plant, quantity="10"):
    order = released_order(plant, quantity=quantity)
    return operations.start_operation(
        operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1
    )


def test_badge_and_pin_sign_in(client, plant):
    page = client.get(reverse("mes:terminal-sign-in"))
    assert page.status_code == 200 and b'name="pin"' in page.content
    wrong = client.post(reverse("mes:terminal-sign-in"), {"badge": "B-1001", "pin": "0000"})
    assert wrong.status_code == 400 and "do not match" in wrong.content.decode()
    right = client.post(reverse("mes:terminal-sign-in"), {"badge": "B-1001", "pin": "4711"})
    assert right.status_code == 302 and right.url == reverse("mes:terminal")
    assert client.get(reverse("mes:terminal")).status_code == 200


def test_the_pin_is_stored_hashed(plant):
    plant.operator.refresh_from_db()
    assert plant.operator.floor_pin and "4711" not in plant.operator.floor_pin
    assert plant.operator.check_floor_pin("4711") and not plant.operator.check_floor_pin("4712")


def test_the_tablet_remembers_its_machine(operator, plant):
    listing = operator.get(reverse("mes:terminal-dispatch", args=[plant.lathe1.code]))
    assert listing.status_code == 200 and listing.cookies["mes_terminal_equipment"].value == plant.lathe1.code
    home = operator.get(reverse("mes:terminal"))
    assert home.status_code == 302 and home.url == reverse("mes:terminal-dispatch", args=[plant.lathe1.code])
    assert operator.get(reverse("mes:terminal") + "?choose=1").status_code == 200


def test_the_dispatch_list_says_why_and_starts_in_a_tap(operator, plant):
    order = released_order(plant, quantity="150")  # more shafts than in stock
    page = operator.get(reverse("mes:terminal-dispatch", args=[plant.lathe1.code])).content.decode()
    assert order.number in page and "T-SHAFT" in page and "Short" in page
    ready = released_order(plant, quantity="5")
    op = ready.operations.get(sequence=10)
    started = operator.post(reverse("mes:terminal-act", args=[plant.lathe1.code, op.pk, "start"]))
    assert started.status_code == 302
    op.refresh_from_db()
    assert op.status == OperationStatus.RUNNING and op.equipment == plant.lathe1


def test_pause_through_the_reason_tree_then_resume_from_the_list(operator, plant):
    op = _running(plant)
    url = reverse("mes:terminal-pause", args=[plant.lathe1.code, op.pk])
    assert "Unplanned" in operator.get(url).content.decode()
    level = operator.get(url + "?reason=UNPLANNED").content.decode()
    assert "Jam" in level
    done = operator.post(url, {"reason": "JAM", "back": "list"})
    assert done.status_code == 302 and done.url == reverse("mes:terminal-dispatch", args=[plant.lathe1.code])
    op.refresh_from_db()
    assert op.status == OperationStatus.PAUSED and op.pauses.get().reason.code == "JAM"
    operator.post(reverse("mes:terminal-act", args=[plant.lathe1.code, op.pk, "resume"]), {"back": "list"})
    op.refresh_from_db()
    assert op.status == OperationStatus.RUNNING and op.paused_seconds >= 0


def test_reason_tree_levels():
    planned = DowntimeReason.objects.create(code="PLANNED", name="Planned", planned=True)
    changeover = DowntimeReason.objects.create(code="CHG", name="Changeover", parent=planned, planned=True)
    DowntimeReason.objects.create(code="TOOL", name="Tool change", parent=changeover, planned=True)
    unplanned = DowntimeReason.objects.create(code="UNPL", name="Unplanned")
    assert [r.code for r in reason_level(parent=None, planned=True)] == ["PLANNED"]
    assert "UNPL" in [r.code for r in reason_level(parent=None, planned=False)]
    assert [r.code for r in reason_level(parent=planned)] == ["CHG"]
    assert [r.code for r in reason_level(parent=changeover)] == ["TOOL"]
    assert reason_level(parent=unplanned) == []


def test_the_job_screen_shows_timer_instructions_and_suggestions(operator, plant):
    op = _running(plant)
    page = operator.get(reverse("mes:terminal-job", args=[plant.lathe1.code, op.pk])).content.decode()
    assert "data-timer" in page and 'data-running="1"' in page
    assert "T-SH-1" in page and "Send report" in page


def test_a_report_with_a_consumed_lot_goes_through_the_ledger_and_a_resend_is_applied_once(operator, plant):
    op = _running(plant)
    body = {
        "good": "3",
        "scrap": "1",
        "scrap_reason": "DIM",
        "lot": "T-SHAFT|T-SH-1",
        "bin": plant.wip.code,
        "consumed": "4",
        "idempotency_key": "term-1",
    }
    url = reverse("mes:terminal-report", args=[plant.lathe1.code, op.pk])
    first = operator.post(url, body, **JSON)
    assert first.status_code == 201 and first.json()["good"] == "3"
    again = operator.post(url, body, **JSON)
    assert again.status_code == 200 and again.json()["created"] is False
    report = ProductionReport.objects.get(idempotency_key="term-1")
    assert report.consumed.get().quantity == Decimal("4")
    op.refresh_from_db()
    assert (op.good, op.scrap) == (Decimal("3"), Decimal("1"))


def test_scrap_without_a_reason_and_a_bad_number_are_refused(operator, plant):
    op = _running(plant)
    url = reverse("mes:terminal-report", args=[plant.lathe1.code, op.pk])
    refused = operator.post(url, {"good": "abc", "idempotency_key": "k1"}, **JSON)
    assert refused.status_code == 400 and "good" in refused.json()["errors"]
    no_reason = operator.post(url, {"scrap": "2", "idempotency_key": "k2"})
    assert no_reason.status_code == 400 and "scrapped" in no_reason.content.decode()
    assert not ProductionReport.objects.exists()


def test_a_held_lot_is_refused_with_a_clear_message(operator, plant):
    op = _running(plant)
    lots.hold_lot(lot=plant.shaft_lot, user=plant.supervisor, reason="suspect")
    url = reverse("mes:terminal-report", args=[plant.lathe1.code, op.pk])
    refused = operator.post(
        url,
        {"good": "1", "lot": "T-SHAFT|T-SH-1", "bin": plant.wip.code, "consumed": "1", "idempotency_key": "held"},
        **JSON,
    )
    assert refused.status_code == 400
    text = " ".join(message for messages in refused.json()["errors"].values() for message in messages)
    assert "T-SH-1" in text
    assert not ProductionReport.objects.exists()


def test_fefo_suggests_the_earliest_expiry_and_never_a_held_lot(plant):
    early = LotFactory(item=plant.shaft, site=plant.site, code="T-SH-EARLY", expiry=date.today() + timedelta(days=3))
    held = LotFactory(item=plant.shaft, site=plant.site, code="T-SH-HELD", expiry=date.today() + timedelta(days=1))
    stock_in(bin=plant.wip, item=plant.shaft, quantity=5, lot=early, user=plant.warehouse_user)
    stock_in(bin=plant.wip, item=plant.shaft, quantity=5, lot=held, user=plant.warehouse_user)
    lots.hold_lot(lot=held, user=plant.supervisor, reason="suspect")
    op = _running(plant)
    shafts = next(m for m in fefo_suggestions(operation=op) if m["material"].component == plant.shaft)
    codes = [s["quant"].lot.code for s in shafts["suggestions"]]
    assert codes[0] == "T-SH-EARLY" and "T-SH-HELD" not in codes


def test_the_service_worker_and_manifest(client):
    sw = client.get(reverse("mes:terminal-sw"))
    assert sw.status_code == 200 and sw["Content-Type"].startswith("application/javascript")
    assert sw["Service-Worker-Allowed"] == reverse("mes:terminal")
    manifest = client.get(reverse("mes:terminal-manifest")).json()
    assert manifest["start_url"] == reverse("mes:terminal") and manifest["display"] == "standalone"


def test_work_instructions_show_on_the_job_screen_and_their_file_only_to_the_site(
    operator, plant, client, settings, tmp_path
):
    from django.core.files.base import ContentFile

    from mes.models import WorkInstruction
    from tests.factories import SiteFactory, UserFactory

    settings.MEDIA_ROOT = str(tmp_path)
    op = _running(plant)
    step = op.work_order.routing.operations.get(sequence=op.sequence)
    page = WorkInstruction(routing_operation=step, title="Chuck the shaft", text="Use the soft jaws.")
    page.attachment.save("setup.pdf", ContentFile(b"%PDF-1.4 bench"), save=True)
    screen = operator.get(reverse("mes:terminal-job", args=[plant.lathe1.code, op.pk])).content.decode()
    assert "Chuck the shaft" in screen and "Use the soft jaws." in screen and "Open the PDF" in screen
    served = operator.get(reverse("mes:terminal-instruction-file", args=[page.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "application/pdf"
    stranger = UserFactory(username="elsewhere", roles=["operator"], sites=[SiteFactory(code="OTHER")])
    client.force_login(stranger)
    assert client.get(reverse("mes:terminal-instruction-file", args=[page.pk])).status_code == 404


def test_the_admin_pin_field_takes_four_to_eight_digits_and_stores_them_hashed(plant):
    from django import forms

    from core.admin import FloorPinUserChangeForm

    field = FloorPinUserChangeForm.base_fields["new_floor_pin"]
    for bad in ("12ab", "123", "123456789"):
        with pytest.raises(forms.ValidationError):
            field.clean(bad)
    assert field.clean("8642") == "8642"
    form = FloorPinUserChangeForm(instance=plant.operator2)
    form.cleaned_data = {"new_floor_pin": "8642", "clear_floor_pin": False}
    form.save_m2m = lambda: None
    form.save()
    plant.operator2.refresh_from_db()
    assert plant.operator2.check_floor_pin("8642") and "8642" not in plant.operator2.floor_pin
