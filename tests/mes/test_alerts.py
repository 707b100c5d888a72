"""Alert rules evaluated on telemetry batches and by the periodic sweep; the alert lifecycle,
escalation, the ranking of recommended actions and the open-alerts metric."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from core.events import signal
from core.metrics import render_metrics
from core.models import Event, OutboxMessage, Webhook
from mes.models import Alert, AlertRule, AlertRuleState, EquipmentClass, ProcessParameter
from mes.services import alerts, operations
from mes.services.equipment import set_equipment_state
from tests.factories import UserFactory
from tests.mes.factories import EquipmentFactory, production_plant, released_order

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=1)


@pytest.fixture
def plant():
    return production_plant(prefix="AL")


def batch(machine, *samples):
    """Records as ingestion signals them: (seconds after T0, {tag: value}) per message."""
    return [
        {"equipment_id": machine.pk, "site_id": machine.site_id, "ts": T0 + timedelta(seconds=s), "values": values}
        for s, values in samples
    ]


def rule(plant, *, target=None, **fields):
    target = target or plant.lathe1
    key = "equipment_class" if isinstance(target, EquipmentClass) else "equipment"
    fields.setdefault("severity", "warning")
    fields.setdefault("recommended_actions", ["Check coolant flow", "Reduce feed"])
    return alerts.create_alert_rule(user=plant.supervisor, **{key: target}, **fields)


def open_alerts(machine=None):
    qs = Alert.objects.exclude(status="resolved")
    return list(qs.filter(equipment=machine) if machine else qs)


# --- conditions -------------------------------------------------------------------------------


def test_above_raises_once_held_for_hold_seconds(plant):
    rule(plant, tag="temp", condition="above", threshold=80, hold_seconds=10)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 85}), (5, {"temp": 86})))
    assert open_alerts() == [], "held 5 s of 10"
    signal("mes.telemetry", batch(plant.lathe1, (9, {"temp": 79}), (12, {"temp": 90})))
    assert open_alerts() == [], "the dip below restarts the hold"
    signal("mes.telemetry", batch(plant.lathe1, (22, {"temp": 91}), (23, {"temp": 92})))
    [alert] = open_alerts()
    assert (alert.status, alert.value, alert.severity) == ("raised", 91.0, "warning")
    assert alert.raised_at == T0 + timedelta(seconds=22)
    assert alert.last_value == 92.0 and alert.repeat_count == 0
    assert "temp" in alert.message


def test_below_on_a_class_rule_covers_every_machine_of_the_class(plant):
    rule(plant, target=plant.lathe1.equipment_class, tag="pressure", condition="below", threshold=4.0)
    sister = EquipmentFactory(
        work_centre=plant.machining, code="AL-SISTER", equipment_class=plant.lathe1.equipment_class
    )
    signal(
        "mes.telemetry",
        batch(plant.lathe1, (0, {"pressure": 5.0})) + batch(sister, (0, {"pressure": 3.2})),
    )
    [alert] = open_alerts()
    assert alert.equipment == sister and alert.value == 3.2


def test_rate_above_measures_the_change_per_minute_over_the_window(plant):
    rule(plant, tag="temp", condition="rate_above", threshold=10, window_seconds=60)
    # 0.1 °C/s = 6 °C/min: below the limit.
    signal("mes.telemetry", batch(plant.lathe1, *[(s, {"temp": 50 + 0.1 * s}) for s in range(0, 60, 5)]))
    assert open_alerts() == []
    # Then 0.5 °C/s = 30 °C/min over the last stretch.
    signal("mes.telemetry", batch(plant.lathe1, *[(s, {"temp": 56 + 0.5 * (s - 60)}) for s in range(60, 120, 5)]))
    [alert] = open_alerts()
    assert alert.value > 10
    state = AlertRuleState.objects.get()
    assert 0 < len(state.window) <= 32, "the window keeps a bounded number of samples"


def test_outside_limits_checks_the_running_operations_parameters(plant):
    step = plant.routing.operations.get(sequence=10)
    ProcessParameter.objects.create(routing_operation=step, tag="spindle", low=1000, high=3000)
    rule(plant, tag="spindle", condition="outside_limits", severity="critical")
    signal("mes.telemetry", batch(plant.lathe1, (0, {"spindle": 3500})))
    assert open_alerts() == [], "nothing runs on the lathe: no limits apply"
    order = released_order(plant)
    operations.start_operation(operation=order.operations.get(sequence=10), user=plant.operator, equipment=plant.lathe1)
    signal("mes.telemetry", batch(plant.lathe1, (10, {"spindle": 2000}), (11, {"spindle": 3400})))
    [alert] = open_alerts()
    assert alert.value == 3400 and alert.severity == "critical"
    assert "1000" in alert.message


def test_state_for_is_found_by_the_periodic_sweep(plant):
    rule(plant, condition="state_for", state="down", minutes=10, recommended_actions=["Call maintenance"])
    set_equipment_state(equipment=plant.lathe1, state="down", at=timezone.now() - timedelta(minutes=5))
    assert alerts.sweep_alerts()["raised"] == 0
    assert alerts.sweep_alerts(now=timezone.now() + timedelta(minutes=6))["raised"] == 1
    [alert] = open_alerts()
    assert alert.value >= 10
    assert alerts.sweep_alerts(now=timezone.now() + timedelta(minutes=7))["raised"] == 0, "one per stretch"
    assert Alert.objects.get().repeat_count == 0


def test_no_data_is_found_by_the_periodic_sweep_and_clears_when_data_comes(plant):
    no_data = rule(plant, tag="temp", condition="no_data", hold_seconds=60)
    AlertRule.objects.filter(pk=no_data.pk).update(created_at=timezone.now() - timedelta(hours=2))
    now = timezone.now()
    signal(
        "mes.telemetry",
        [{"equipment_id": plant.lathe1.pk, "site_id": plant.site.pk, "ts": now, "values": {"temp": 40}}],
    )
    assert alerts.sweep_alerts(now=now + timedelta(seconds=30))["raised"] == 0
    assert alerts.sweep_alerts(now=now + timedelta(seconds=61))["raised"] == 1
    assert alerts.sweep_alerts(now=now + timedelta(seconds=90))["raised"] == 0
    signal(
        "mes.telemetry",
        [
            {
                "equipment_id": plant.lathe1.pk,
                "site_id": plant.site.pk,
                "ts": now + timedelta(seconds=100),
                "values": {"temp": 41},
            }
        ],
    )
    assert alerts.sweep_alerts(now=now + timedelta(seconds=200))["raised"] == 1
    assert Alert.objects.get().repeat_count == 1, "the second silence repeats the open alert"


def test_a_repeat_updates_the_open_alert(plant):
    rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 85})))
    signal("mes.telemetry", batch(plant.lathe1, (1, {"temp": 87})))
    signal("mes.telemetry", batch(plant.lathe1, (2, {"temp": 70}), (3, {"temp": 95})))
    [alert] = open_alerts()
    assert alert.repeat_count == 1 and alert.last_value == 95 and alert.value == 85
    assert alert.last_seen_at == T0 + timedelta(seconds=3)


@pytest.mark.django_db(transaction=True)
def test_a_batch_costs_a_few_queries_however_many_values(plant):
    """Rules come from the process cache (committed here, so the cache is used). Besides the alert
    rules' few statements, quality looks once per batch for open in-process inspections that read
    gauge tags (qms.services.inspections.record_machine_values)."""
    rule(plant, tag="temp", condition="above", threshold=80)
    rule(plant, target=plant.lathe1.equipment_class, tag="pressure", condition="below", threshold=4)
    rule(plant, tag="temp", condition="rate_above", threshold=100)
    machines = [plant.lathe1, plant.lathe2, plant.press]
    records = []
    for m in machines:
        records += batch(m, *[(s, {"temp": 50.0 + s % 3, "pressure": 6.0, "other": 1.0}) for s in range(500)])
    signal("mes.telemetry", records[:10])
    with CaptureQueriesContext(connection) as queries:
        signal("mes.telemetry", records)
    assert len(queries) <= 6, [q["sql"][:80] for q in queries]


# --- rules ------------------------------------------------------------------------------------


def test_a_rule_names_exactly_one_target_and_what_its_condition_needs(plant):
    with pytest.raises(ValidationFailed) as error:
        alerts.create_alert_rule(
            user=plant.supervisor,
            equipment=plant.lathe1,
            equipment_class=plant.lathe1.equipment_class,
            tag="t",
            condition="above",
            threshold=1,
            severity="info",
            recommended_actions=["x"],
        )
    assert error.value.field == "equipment"
    for fields, culprit in (
        ({"condition": "above", "tag": "t"}, "threshold"),
        ({"condition": "above", "threshold": 1}, "tag"),
        ({"condition": "state_for", "state": "down"}, "minutes"),
        ({"condition": "no_data", "tag": "t"}, "hold_seconds"),
        ({"condition": "above", "tag": "t", "threshold": 1, "recommended_actions": [" "]}, "recommended_actions"),
        ({"condition": "above", "tag": "t", "threshold": 1, "severity": "fatal"}, "severity"),
    ):
        with pytest.raises(ValidationFailed) as error:
            rule(plant, **fields)
        assert error.value.field == culprit


def test_the_rule_cache_follows_a_new_rule_at_once(plant):
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 99})))
    rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (1, {"temp": 99})))
    assert len(open_alerts()) == 1
    first = AlertRule.objects.get()
    alerts.update_alert_rule(rule=first, user=plant.supervisor, data={"active": False})
    signal("mes.telemetry", batch(plant.lathe1, (2, {"temp": 50}), (3, {"temp": 99})))
    assert Alert.objects.get().repeat_count == 0, "an inactive rule no longer evaluates"


# --- lifecycle ------------------------------------------------------------------------------


@pytest.fixture
def raised(plant):
    rule(plant, tag="temp", condition="above", threshold=80)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"temp": 85})))
    return Alert.objects.get()


def test_acknowledge_then_resolve(plant, raised):
    alert = alerts.acknowledge_alert(alert=raised, user=plant.operator)
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", plant.operator)
    with pytest.raises(InvalidTransition):
        alerts.acknowledge_alert(alert=alert, user=plant.operator)
    with pytest.raises(PermissionDenied):
        alerts.resolve_alert(alert=alert, user=plant.operator, cause="c", action_taken="a")
    with pytest.raises(ValidationFailed) as error:
        alerts.resolve_alert(alert=alert, user=plant.supervisor, cause="", action_taken="a")
    assert error.value.field == "cause"
    with pytest.raises(ValidationFailed) as error:
        alerts.resolve_alert(alert=alert, user=plant.supervisor, cause="c", action_taken=" ")
    assert error.value.field == "action_taken"
    alert = alerts.resolve_alert(alert=alert, user=plant.supervisor, cause="Clogged nozzle", action_taken="reduce FEED")
    assert (alert.status, alert.resolved_by, alert.action_taken) == ("resolved", plant.supervisor, "Reduce feed")
    with pytest.raises(InvalidTransition):
        alerts.resolve_alert(alert=alert, user=plant.supervisor, cause="c", action_taken="a")
    assert [h.status for h in alert.history.order_by("history_date")] == ["raised", "acknowledged", "resolved"]
    # The condition again: a new alert, since the last one is resolved.
    signal("mes.telemetry", batch(plant.lathe1, (5, {"temp": 70}), (6, {"temp": 90})))
    assert Alert.objects.filter(status="raised").count() == 1


def test_another_sites_user_cannot_touch_the_alert(plant, raised):
    stranger = production_plant(prefix="AZ").supervisor
    with pytest.raises(Exception) as error:
        alerts.acknowledge_alert(alert=raised, user=stranger)
    assert getattr(error.value, "code", "") == "not_found"


def test_actions_are_ranked_by_how_often_they_resolved_the_rules_alerts(plant):
    over_temperature = rule(plant, tag="temp", condition="above", threshold=80)
    assert over_temperature.ranked_actions() == ["Check coolant flow", "Reduce feed"]
    for n, action in enumerate(["Reduce feed", "Reduce feed", "Replace the coolant pump", "Check coolant flow"]):
        signal("mes.telemetry", batch(plant.lathe1, (2 * n, {"temp": 90}), (2 * n + 1, {"temp": 50})))
        alert = Alert.objects.get(status="raised")
        alerts.resolve_alert(alert=alert, user=plant.supervisor, cause="Hot", action_taken=action)
    over_temperature.refresh_from_db()
    assert over_temperature.ranked_actions() == ["Reduce feed", "Check coolant flow", "Replace the coolant pump"]


# --- escalation and notifications --------------------------------------------------------------


def test_an_alert_nobody_acknowledges_escalates_once_to_the_supervisors(plant, settings):
    settings.ALERT_ESCALATE_MINUTES = 10
    plant.supervisor.email = "sup@example.com"
    plant.supervisor.save()
    rule(plant, tag="temp", condition="above", threshold=80)
    signal(
        "mes.telemetry",
        [{"equipment_id": plant.lathe1.pk, "site_id": plant.site.pk, "ts": timezone.now(), "values": {"temp": 99}}],
    )
    assert alerts.escalate_unacknowledged() == []
    [escalated] = alerts.escalate_unacknowledged(now=timezone.now() + timedelta(minutes=11))
    assert escalated.escalated_at is not None
    assert alerts.escalate_unacknowledged(now=timezone.now() + timedelta(minutes=30)) == []
    mail = OutboxMessage.objects.get(channel="email", event__name="mes.alert.notification")
    assert mail.target == "sup@example.com" and "Escalated" in mail.event.payload["subject"]
    assert Event.objects.filter(name="mes.alert.escalated").count() == 1


def test_an_acknowledged_alert_does_not_escalate(plant, raised, settings):
    settings.ALERT_ESCALATE_MINUTES = 1
    alerts.acknowledge_alert(alert=raised, user=plant.operator)
    assert alerts.escalate_unacknowledged(now=timezone.now() + timedelta(hours=5)) == []


def test_channels_follow_the_severity(plant, settings):
    settings.ALERT_SEVERITY_CHANNELS = {"info": [], "warning": ["webhook"], "critical": ["webhook", "email"]}
    Webhook.objects.create(name="SCADA", url="http://127.0.0.1:9/hook", secret="s" * 32, events=["mes.alert.*"])
    plant.supervisor.email = "sup@example.com"
    plant.supervisor.save()
    for severity, tag in (("info", "a"), ("warning", "b"), ("critical", "c")):
        rule(plant, tag=tag, condition="above", threshold=1, severity=severity)
    signal("mes.telemetry", batch(plant.lathe1, (0, {"a": 5, "b": 5, "c": 5})))
    raised = {e.payload["severity"]: e for e in Event.objects.filter(name="mes.alert.raised")}
    channels = {s: sorted(e.deliveries.values_list("channel", "target")) for s, e in raised.items()}
    live = [("websocket", "live.ALS.mes"), ("websocket", f"live.ALS.mes.equipment.{plant.lathe1.code}")]
    assert channels["info"] == live
    assert channels["warning"] == sorted([*live, ("webhook", "http://127.0.0.1:9/hook")])
    assert channels["critical"] == channels["warning"]
    [mail] = OutboxMessage.objects.filter(channel="email")
    assert mail.target == "sup@example.com" and "c" in mail.event.payload["subject"]


def test_open_alerts_metric_counts_per_severity(plant, raised):
    text = render_metrics()[0].decode()
    assert 'mes_alerts_open{severity="warning"} 1.0' in text
    assert 'mes_alerts_open{severity="critical"} 0.0' in text
    alerts.resolve_alert(alert=raised, user=UserFactory(roles=["admin"]), cause="x", action_taken="Reduce feed")
    assert 'mes_alerts_open{severity="warning"} 0.0' in render_metrics()[0].decode()
