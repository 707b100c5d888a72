"""Evaluation of new subgroups: a rule broken raises one SPC alert (with recommended actions) and
publishes `qms.spc.violation`; the same subgroup evaluated again raises nothing more."""

import pytest
from django.db import transaction

from core.events import publish
from core.models import Event
from core.services.outbox import deliver_many, due_message_ids
from mes.models import Alert
from qms.models import SpcStatus
from qms.services import spc_monitor
from tests.factories import SiteFactory
from tests.mes.factories import EquipmentFactory, WorkCentreFactory
from tests.qms.factories import CharacteristicFactory
from tests.qms.spc_data import in_control, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def line():
    site = SiteFactory(code="QM1")
    machine = EquipmentFactory(work_centre=WorkCentreFactory(site=site, code="QM-WC"), code="QM-LATHE")
    characteristic = CharacteristicFactory(nelson_rules=[1, 2, 3, 5, 6])
    keys = record(characteristic, site, in_control(30), equipment=machine)
    spc_monitor.evaluate_new(characteristic=characteristic, site=site)
    return {"site": site, "machine": machine, "characteristic": characteristic, "keys": keys}


def _violations():
    return list(Event.objects.filter(name="qms.spc.violation").order_by("id"))


def test_in_control_history_raises_nothing_and_keeps_a_green_status(line):
    assert not Alert.objects.exists() and not _violations()
    status = SpcStatus.objects.get(characteristic=line["characteristic"], site=line["site"])
    assert status.evaluated_subgroup == line["keys"][-1]
    assert status.colour == "green" and status.work_centre.code == "QM-WC"


def test_a_point_beyond_three_sigma_raises_one_alert_and_publishes_the_violation(line):
    site, characteristic, machine = line["site"], line["characteristic"], line["machine"]
    (key,) = record(characteristic, site, [[74.04] * 5], first=30, equipment=machine)
    found = spc_monitor.evaluate_new(characteristic=characteristic, site=site, since_subgroup=key)
    assert found == [{"subgroup": key, "rules": [1]}]
    alert = Alert.objects.get()
    assert alert.equipment == machine and alert.rule.condition == "spc_violation"
    assert alert.rule.ranked_actions() and "rule 1" in alert.message
    (event,) = _violations()
    assert event.payload == {
        "characteristic": characteristic.pk,
        "site": "QM1",
        "rules": [1],
        "subgroup": key,
        "lots": [],
        "work_orders": [],
        "equipment": [machine.pk],
        "measured_at": event.payload["measured_at"],
    }
    status = SpcStatus.objects.get(characteristic=characteristic, site=site)
    assert status.colour == "red" and "rule_1" in status.reasons

    # the same subgroup again: nothing more
    assert spc_monitor.evaluate_new(characteristic=characteristic, site=site, since_subgroup=key) == []
    assert Alert.objects.count() == 1 and len(_violations()) == 1

    # a later violation while the alert is open: a repeat of it, not a second alert
    record(characteristic, site, [[74.05] * 5], first=31, equipment=machine)
    spc_monitor.evaluate_new(characteristic=characteristic, site=site)
    alert = Alert.objects.get()
    assert alert.repeat_count == 1 and len(_violations()) == 2


def test_the_recorded_event_evaluates_after_commit_from_the_outbox(line):
    site, characteristic, machine = line["site"], line["characteristic"], line["machine"]
    (key,) = record(characteristic, site, [[73.96] * 5], first=30, equipment=machine)
    with transaction.atomic():
        publish(
            "qms.measurements.recorded",
            {"characteristic": characteristic.pk, "site": "QM1", "subgroups": [key]},
            site=site,
        )
    assert not Alert.objects.exists()  # not in the writer's transaction
    deliver_many(message_ids=due_message_ids())
    assert Alert.objects.count() == 1
    assert [e.payload["subgroup"] for e in _violations()] == [key]
