"""Alert rules and the alerts they raise.

Telemetry is evaluated per ingestion batch (`evaluate_telemetry`, the `mes.telemetry` signal
handler): the batch is grouped per equipment, the rules come from a per-process cache, the
evaluation states of every (rule, equipment) the batch touches are read in one query and written
back in one upsert, and only an alert that is raised or repeated costs more. States held too
long, missing data and unacknowledged alerts are found by the periodic `sweep_alerts`.

An alert is raised → acknowledged → resolved (ALERT_STATES). One is open per rule and
equipment (a partial unique index): a new episode of the condition while it is open counts as a
repeat of it. Resolving names the cause and the action taken; the action feeds the ranking of
the rule's recommended actions. Raised, repeated, escalated and changed alerts are pushed live
to the site's `mes` topic (the supervisors' pages) and to `mes.equipment.<code>` (that machine's
terminal); webhooks and e-mail go by severity (`ALERT_SEVERITY_CHANNELS`), all via the outbox.
"""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core.errors import ValidationFailed
from core.events import on_signal, publish
from core.models import Role, User
from core.scoping import require_site_access, user_site_ids
from core.states import StateMachine, Transition
from mes.models import (
    Alert,
    AlertCondition,
    AlertRule,
    AlertRuleState,
    AlertSeverity,
    AlertStatus,
    Equipment,
    EquipmentState,
    Operation,
    OperationStatus,
    ProcessParameter,
)
from mes.models.alerts import TELEMETRY_CONDITIONS, THRESHOLD_CONDITIONS

ACKNOWLEDGE = "mes.change_alert"
RESOLVE = "mes.resolve_alert"
C = AlertCondition
S = AlertStatus

ALERT_STATES = StateMachine(
    {
        "acknowledge": Transition(
            frozenset({S.RAISED}), S.ACKNOWLEDGED, ACKNOWLEDGE, label=gettext_lazy("acknowledged")
        ),
        "resolve": Transition(
            frozenset({S.RAISED, S.ACKNOWLEDGED}), S.RESOLVED, RESOLVE, label=gettext_lazy("resolved")
        ),
    },
    refusal=gettext_noop("An alert that is %(status)s cannot be %(action)s."),
)

DEFAULT_CHANNELS = {
    AlertSeverity.INFO: ["live"],
    AlertSeverity.WARNING: ["live", "webhook"],
    AlertSeverity.CRITICAL: ["live", "webhook", "email"],
}


def severity_channels(severity: str) -> set[str]:
    """How alerts of `severity` are announced: live (always), webhook, email."""
    table = getattr(settings, "ALERT_SEVERITY_CHANNELS", None) or DEFAULT_CHANNELS
    return {"live", *table.get(severity, ())}


def equipment_topic(code: str) -> str:
    """The live topic of one machine's terminal."""
    return f"mes.equipment.{code}"


# --- the rule cache ------------------------------------------------------------------------------


@dataclass
class RuleIndex:
    """The active rules by equipment and by equipment class, and each equipment's class."""

    by_equipment: dict[int, list[AlertRule]]
    by_class: dict[int, list[AlertRule]]
    equipment_class: dict[int, int]
    sweep_rules: list[AlertRule]

    def rules_for(self, equipment_id: int, site_id: int | None) -> list[AlertRule]:
        rules = list(self.by_equipment.get(equipment_id, ()))
        class_id = self.equipment_class.get(equipment_id)
        for rule in self.by_class.get(class_id, ()):
            if rule.site_id is None or rule.site_id == site_id:
                rules.append(rule)
        return rules


_cache: dict[str, object] = {"until": 0.0, "index": None}


def _load_index() -> RuleIndex:
    by_equipment, by_class, sweep = defaultdict(list), defaultdict(list), []
    # SPC rules are raised by quality's evaluation of measurements, never by machine data.
    for rule in AlertRule.objects.filter(active=True).exclude(condition=C.SPC_VIOLATION).order_by("pk"):
        (by_equipment[rule.equipment_id] if rule.equipment_id else by_class[rule.equipment_class_id]).append(rule)
        if rule.condition in (C.STATE_FOR, C.NO_DATA):
            sweep.append(rule)
    classes = dict(Equipment.objects.values_list("pk", "equipment_class_id"))
    return RuleIndex(dict(by_equipment), dict(by_class), classes, sweep)


def rule_index() -> RuleIndex:
    """The active rules, cached per process for `ALERT_RULE_CACHE_SECONDS` and dropped at once
    when this process changes a rule or a piece of equipment is added (like the webhooks)."""
    if _changes_rules():
        return _load_index()
    now = time.monotonic()
    index = _cache["index"]
    if index is None or now >= _cache["until"]:
        index = _load_index()
        _cache.update(index=index, until=now + getattr(settings, "ALERT_RULE_CACHE_SECONDS", 5.0))
    return index


def _forget_rules() -> None:
    _cache.update(index=None, until=0.0)


def _changes_rules() -> bool:
    return connection.in_atomic_block and any(
        callback is _forget_rules for _sids, callback, _robust in connection.run_on_commit
    )


def forget_rules(**kwargs) -> None:
    """A rule was saved or deleted (or equipment added): drop the cache now and after commit."""
    if kwargs.get("sender") is Equipment and not kwargs.get("created", True):
        return
    _forget_rules()
    if connection.in_atomic_block and not _changes_rules():
        transaction.on_commit(_forget_rules)


post_save.connect(forget_rules, sender=AlertRule, dispatch_uid="mes.alerts.forget_rules.save")
post_delete.connect(forget_rules, sender=AlertRule, dispatch_uid="mes.alerts.forget_rules.delete")
post_save.connect(forget_rules, sender=Equipment, dispatch_uid="mes.alerts.forget_rules.equipment")


# --- rules ---------------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "site",
    "equipment",
    "equipment_class",
    "tag",
    "condition",
    "threshold",
    "hold_seconds",
    "window_seconds",
    "state",
    "minutes",
    "severity",
    "recommended_actions",
    "message",
    "escalate_minutes",
    "active",
)


def _clean_actions(actions) -> list[str]:
    if not isinstance(actions, list | tuple):
        raise ValidationFailed(_("Give a list of recommended actions."), field="recommended_actions")
    cleaned, seen = [], set()
    for action in actions:
        text = str(action).strip()
        if not text:
            continue
        if len(text) > 200:
            raise ValidationFailed(_("Keep each action under 200 characters."), field="recommended_actions")
        if text.casefold() not in seen:
            seen.add(text.casefold())
            cleaned.append(text)
    if not cleaned:
        raise ValidationFailed(_("Give at least one recommended action."), field="recommended_actions")
    return cleaned


def _default_name(rule: AlertRule) -> str:
    target = rule.equipment.code if rule.equipment_id else rule.equipment_class.code
    if rule.condition == C.STATE_FOR:
        return f"{target}: {rule.state} > {rule.minutes} min"
    if rule.condition == C.NO_DATA:
        return f"{target}: {rule.tag or '*'} no data {rule.hold_seconds} s"
    threshold = "" if rule.threshold is None else f" {rule.threshold:g}"
    return f"{target}: {rule.tag} {rule.condition}{threshold}"


def _validate_rule(rule: AlertRule, user) -> None:
    if bool(rule.equipment_id) == bool(rule.equipment_class_id):
        raise ValidationFailed(_("Give either an equipment or an equipment class, not both."), field="equipment")
    if rule.condition not in C.values:
        raise ValidationFailed(_("Unknown condition."), field="condition")
    if rule.severity not in AlertSeverity.values:
        raise ValidationFailed(_("Severity is info, warning or critical."), field="severity")
    if rule.equipment_id:
        if rule.site_id and rule.site_id != rule.equipment.site_id:
            raise ValidationFailed(_("The equipment belongs to another site."), field="equipment")
        rule.site_id = rule.equipment.site_id
    elif rule.site_id is None and user is not None:
        sites = user_site_ids(user)
        if sites is not None:
            if len(sites) != 1:
                raise ValidationFailed(_("Name the site the rule holds at."), field="site")
            rule.site_id = next(iter(sites))
    if rule.site_id is not None:
        require_site_access(user, rule.site_id)
    rule.tag = (rule.tag or "").strip()
    if rule.condition in (*TELEMETRY_CONDITIONS,) and not rule.tag:
        raise ValidationFailed(_("Name the tag to watch."), field="tag")
    if rule.condition in THRESHOLD_CONDITIONS and rule.threshold is None:
        raise ValidationFailed(_("Give the threshold."), field="threshold")
    if rule.condition == C.RATE_ABOVE and not rule.window_seconds:
        raise ValidationFailed(_("Give the window the rate is measured over."), field="window_seconds")
    if rule.condition == C.STATE_FOR:
        if rule.state not in EquipmentState.values:
            raise ValidationFailed(_("Name the equipment state."), field="state")
        if not rule.minutes:
            raise ValidationFailed(_("Give how many minutes the state may last."), field="minutes")
    if rule.condition == C.NO_DATA and not rule.hold_seconds:
        raise ValidationFailed(_("Give after how many seconds without data to raise."), field="hold_seconds")
    rule.recommended_actions = _clean_actions(rule.recommended_actions)
    rule.name = (rule.name or "").strip() or _default_name(rule)


def create_alert_rule(*, user, **data) -> AlertRule:
    """A new rule on one piece of equipment or on an equipment class."""
    unknown = set(data) - set(RULE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    rule = AlertRule(**{k: v for k, v in data.items() if v is not None or k in ("threshold", "minutes")})
    _validate_rule(rule, user)
    with transaction.atomic():
        rule._history_user = user
        rule.save()
    return rule


def update_alert_rule(*, rule: AlertRule, user, data: dict) -> AlertRule:
    """Change a rule; its open alerts keep what they were raised with."""
    if rule.site_id:
        require_site_access(user, rule.site_id)
    for name, value in data.items():
        if name not in RULE_FIELDS:
            raise ValidationFailed(_("Unknown field."), field=name)
        setattr(rule, name, value)
    _validate_rule(rule, user)
    with transaction.atomic():
        rule._history_user = user
        rule.save()
    return rule


# --- evaluation ----------------------------------------------------------------------------------


@dataclass
class Firing:
    """A condition that held: a new alert, or a repeat of the open one."""

    rule: AlertRule
    equipment_id: int
    value: float | None
    at: datetime
    message: str = ""
    last_value: float | None = None
    last_at: datetime | None = None

    def __post_init__(self):
        self.last_value = self.value if self.last_value is None else self.last_value
        self.last_at = self.last_at or self.at


def _message(rule: AlertRule, value: float | None, limit=None) -> str:
    if rule.message:
        return rule.message
    shown = "" if value is None else f"{value:g}"
    if rule.condition == C.ABOVE:
        return _("%(tag)s at %(value)s, above %(threshold)g") % {
            "tag": rule.tag,
            "value": shown,
            "threshold": rule.threshold,
        }
    if rule.condition == C.BELOW:
        return _("%(tag)s at %(value)s, below %(threshold)g") % {
            "tag": rule.tag,
            "value": shown,
            "threshold": rule.threshold,
        }
    if rule.condition == C.RATE_ABOVE:
        return _("%(tag)s rising %(value)s per minute, more than %(threshold)g") % {
            "tag": rule.tag,
            "value": shown,
            "threshold": rule.threshold,
        }
    if rule.condition == C.OUTSIDE_LIMITS:
        return _("%(tag)s at %(value)s, outside the operation's limits %(limits)s") % {
            "tag": rule.tag,
            "value": shown,
            "limits": limit or "",
        }
    if rule.condition == C.STATE_FOR:
        return _("%(state)s for %(value)s minutes") % {"state": EquipmentState(rule.state).label, "value": shown}
    return _("No data for %(value)s seconds") % {"value": shown}


def _running_limits(equipment_ids) -> dict[int, dict[str, ProcessParameter]]:
    """equipment -> tag -> the critical parameter of the operation running on it (two queries)."""
    running = list(
        Operation.objects.filter(equipment_id__in=equipment_ids, status=OperationStatus.RUNNING).values_list(
            "equipment_id", "work_order__routing_id", "sequence"
        )
    )
    if not running:
        return {}
    steps = {(routing, sequence): equipment for equipment, routing, sequence in running}
    parameters = ProcessParameter.objects.filter(
        routing_operation__routing_id__in={r for r, _ in steps}, routing_operation__sequence__in={s for _, s in steps}
    ).select_related("routing_operation")
    limits: dict[int, dict[str, ProcessParameter]] = defaultdict(dict)
    for parameter in parameters:
        key = (parameter.routing_operation.routing_id, parameter.routing_operation.sequence)
        if key in steps:
            limits[steps[key]][parameter.tag] = parameter
    return limits


def _rate(rule: AlertRule, state: AlertRuleState, value: float, epoch: float) -> float | None:
    """Change per minute over the rule's window; the window keeps about 30 samples."""
    window = [s for s in state.window if s[0] >= epoch - rule.window_seconds]
    rate = None
    if window and epoch - window[0][0] >= 1.0:
        rate = (value - window[0][1]) / (epoch - window[0][0]) * 60.0
    if not window or epoch - window[-1][0] >= rule.window_seconds / 30.0:
        window.append([epoch, value])
    state.window = window
    return rate


def _evaluate(rule, state, records, limits) -> tuple[Firing | None, tuple | None, bool]:
    """Run one rule over one equipment's records (in time order). Returns the firing (a new
    episode held long enough), the latest (value, ts) of an episode that fired before, and
    whether the state changed."""
    firing = continuing = None
    changed = False
    for record in records:
        values = record["values"]
        at = record["ts"]
        if rule.tag:
            if rule.tag not in values:
                continue
            value = float(values[rule.tag])
        else:
            value = None
        state.last_seen_at, state.last_value, changed = at, value, True
        if rule.condition == C.NO_DATA:
            state.fired = False
            continue
        measured, limit = value, None
        if rule.condition == C.ABOVE:
            breach = value > rule.threshold
        elif rule.condition == C.BELOW:
            breach = value < rule.threshold
        elif rule.condition == C.RATE_ABOVE:
            measured = _rate(rule, state, value, at.timestamp())
            breach = measured is not None and measured > rule.threshold
            measured = None if measured is None else round(measured, 6)
        else:
            limit = limits.get(rule.tag)
            breach = limit is not None and not limit.contains(value)
        if not breach:
            state.pending_since, state.fired = None, False
            continue
        if state.pending_since is None:
            state.pending_since = at
        if (at - state.pending_since).total_seconds() < rule.hold_seconds:
            continue
        if state.fired and firing is not None:
            firing.last_value, firing.last_at = measured, at
        elif state.fired:
            continuing = (measured, at)
        else:
            state.fired = True
            firing = Firing(rule, record["equipment_id"], measured, at, _message(rule, measured, limit))
            continuing = None
    return firing, continuing, changed


STATE_FIELDS = ["pending_since", "fired", "window", "last_value", "last_seen_at"]


@on_signal("mes.telemetry")
def evaluate_telemetry(records) -> int:
    """Evaluate one ingestion batch against the alert rules; returns how many alerts it raised
    or repeated. Runs in the ingestion transaction: states and alerts commit with the batch."""
    if not records:
        return 0
    index = rule_index()
    by_equipment: dict[int, list] = defaultdict(list)
    for record in records:
        by_equipment[record["equipment_id"]].append(record)
    work = []
    for equipment_id, rows in by_equipment.items():
        for rule in index.rules_for(equipment_id, rows[0].get("site_id")):
            if rule.condition in TELEMETRY_CONDITIONS or rule.condition == C.NO_DATA:
                work.append((rule, equipment_id, rows))
    if not work:
        return 0
    with transaction.atomic():
        states = {
            (s.rule_id, s.equipment_id): s
            for s in AlertRuleState.objects.filter(
                rule_id__in={r.pk for r, _, _ in work}, equipment_id__in={e for _, e, _ in work}
            )
        }
        needs_limits = {e for r, e, _ in work if r.condition == C.OUTSIDE_LIMITS}
        limits = _running_limits(needs_limits) if needs_limits else {}
        touched, firings, continuing = [], [], []
        for rule, equipment_id, rows in work:
            state = states.get((rule.pk, equipment_id)) or AlertRuleState(rule_id=rule.pk, equipment_id=equipment_id)
            firing, latest, changed = _evaluate(rule, state, rows, limits.get(equipment_id, {}))
            if changed:
                touched.append(state)
            if firing:
                firings.append(firing)
            if latest:
                continuing.append((rule.pk, equipment_id, *latest))
        if touched:
            AlertRuleState.objects.bulk_create(
                touched, update_conflicts=True, unique_fields=["rule", "equipment"], update_fields=STATE_FIELDS
            )
        if continuing:
            _refresh_open_alerts(continuing)
        return len(record_firings(firings)) if firings else 0


def _refresh_open_alerts(latest: list[tuple]) -> None:
    """The open alerts of conditions that still hold get their last value and time (one query)."""
    keys = {(rule_id, equipment_id): (value, at) for rule_id, equipment_id, value, at in latest}
    alerts = list(
        Alert.objects.filter(
            status__in=(S.RAISED, S.ACKNOWLEDGED),
            rule_id__in={k[0] for k in keys},
            equipment_id__in={k[1] for k in keys},
        ).only("pk", "rule_id", "equipment_id")
    )
    for alert in alerts:
        alert.last_value, alert.last_seen_at = keys.get((alert.rule_id, alert.equipment_id), (None, None))
    alerts = [a for a in alerts if a.last_seen_at is not None]
    if alerts:
        Alert.objects.bulk_update(alerts, ["last_value", "last_seen_at"])


def record_firings(firings: list[Firing]) -> list[Alert]:
    """Raise an alert per firing, or count it as a repeat of the rule's open alert on that
    equipment (also when another batch raised it a moment ago), and announce each."""
    equipment = Equipment.objects.select_related("site").in_bulk({f.equipment_id for f in firings})
    done = []
    with transaction.atomic():
        open_alerts = {
            (a.rule_id, a.equipment_id): a
            for a in Alert.objects.filter(
                status__in=(S.RAISED, S.ACKNOWLEDGED),
                rule_id__in={f.rule.pk for f in firings},
                equipment_id__in=set(equipment),
            )
        }
        for firing in firings:
            machine = equipment.get(firing.equipment_id)
            if machine is None:
                continue
            message = firing.message or _message(firing.rule, firing.value)
            alert = open_alerts.get((firing.rule.pk, machine.pk))
            if alert is None:
                alert = Alert(
                    site_id=machine.site_id,
                    rule=firing.rule,
                    equipment=machine,
                    severity=firing.rule.severity,
                    status=S.RAISED,
                    raised_at=firing.at,
                    value=firing.value,
                    message=message[:300],
                    last_value=firing.last_value,
                    last_seen_at=firing.last_at,
                )
                try:
                    with transaction.atomic():
                        alert.save()
                except IntegrityError:
                    # Another batch raised it since we looked: this firing is a repeat of that one.
                    alert = Alert.objects.get(
                        rule=firing.rule, equipment=machine, status__in=(S.RAISED, S.ACKNOWLEDGED)
                    )
                else:
                    alert.equipment = machine
                    _announce(alert, "mes.alert.raised")
                    done.append(alert)
                    continue
            Alert.objects.filter(pk=alert.pk).update(
                repeat_count=F("repeat_count") + 1, last_value=firing.last_value, last_seen_at=firing.last_at
            )
            alert.refresh_from_db()
            alert.equipment = machine
            _announce(alert, "mes.alert.repeated", outside=False)
            done.append(alert)
    return done


# --- the periodic sweep --------------------------------------------------------------------------


def sweep_alerts(*, now: datetime | None = None) -> dict[str, int]:
    """States held too long, tags gone quiet, alerts nobody acknowledged in time. One sweep at
    a time (an advisory lock), so two schedulers never count the same episode twice."""
    now = now or timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('mes.alert_sweep'))")
        firings = []
        for rule in rule_index().sweep_rules:
            firings.extend(_sweep_rule(rule, now))
        raised = record_firings(firings) if firings else []
    escalated = escalate_unacknowledged(now=now)
    return {"raised": len(raised), "escalated": len(escalated)}


def _targets(rule: AlertRule):
    machines = Equipment.objects.filter(active=True)
    machines = (
        machines.filter(pk=rule.equipment_id)
        if rule.equipment_id
        else machines.filter(equipment_class_id=rule.equipment_class_id)
    )
    return machines.filter(site_id=rule.site_id) if rule.site_id else machines


def _sweep_rule(rule: AlertRule, now: datetime) -> list[Firing]:
    machines = _targets(rule)
    if rule.condition == C.STATE_FOR:
        machines = machines.filter(state=rule.state, state_since__lte=now - timedelta(minutes=rule.minutes))
    else:
        machines = machines.exclude(state=EquipmentState.OFFLINE)
    machines = list(machines.only("pk", "state", "state_since"))
    if not machines:
        return []
    states = {s.equipment_id: s for s in AlertRuleState.objects.filter(rule=rule, equipment__in=machines)}
    firings, changed = [], []
    for machine in machines:
        state = states.get(machine.pk) or AlertRuleState(rule_id=rule.pk, equipment_id=machine.pk)
        if rule.condition == C.STATE_FOR:
            # One episode per stretch in the state: pending_since remembers the stretch that fired.
            if state.fired and state.pending_since == machine.state_since:
                continue
            state.fired, state.pending_since = True, machine.state_since
            value = round((now - machine.state_since).total_seconds() / 60.0, 1)
        else:
            last = max(filter(None, (state.last_seen_at, rule.created_at)))
            quiet = (now - last).total_seconds()
            if state.fired or quiet < rule.hold_seconds:
                continue
            state.fired = True
            value = round(quiet, 1)
        changed.append(state)
        firings.append(Firing(rule, machine.pk, value, now))
    if changed:
        AlertRuleState.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["rule", "equipment"],
            update_fields=["fired", "pending_since"],
        )
    return firings


def _escalate_after(alert: Alert) -> timedelta:
    minutes = alert.rule.escalate_minutes or getattr(settings, "ALERT_ESCALATE_MINUTES", 15)
    return timedelta(minutes=minutes)


def escalate_unacknowledged(*, now: datetime | None = None) -> list[Alert]:
    """Alerts still raised (nobody acknowledged them) longer than their rule's limit go to the
    supervisors of the site: pushed and e-mailed, marked escalated. Each escalates once; rows
    another sweep holds are skipped."""
    now = now or timezone.now()
    escalated = []
    with transaction.atomic():
        candidates = (
            Alert.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(status=S.RAISED, escalated_at__isnull=True)
            .select_related("rule", "equipment", "site")
            .order_by("pk")
        )
        for alert in candidates:
            if alert.raised_at + _escalate_after(alert) > now:
                continue
            alert.escalated_at = now
            alert._history_user = None
            alert._change_reason = _("escalated to the supervisors")
            alert.save(update_fields=["escalated_at", "updated_at"])
            _announce(alert, "mes.alert.escalated", notify=supervisors(alert.site))
            escalated.append(alert)
    return escalated


def supervisors(site) -> list[User]:
    return list(
        User.objects.filter(is_active=True, groups__name=Role.SUPERVISOR, sites=site)
        .exclude(email="")
        .distinct()
        .order_by("username")
    )


# --- notifications -------------------------------------------------------------------------------


def alert_payload(alert: Alert) -> dict:
    return {
        "alert": alert.pk,
        "equipment": alert.equipment.code,
        "rule": alert.rule_id,
        "severity": alert.severity,
        "status": alert.status,
        "message": alert.message,
        "value": alert.value,
        "last_value": alert.last_value,
        "repeat_count": alert.repeat_count,
        "raised_at": alert.raised_at,
    }


def _announce(alert: Alert, name: str, *, outside: bool = True, notify: list[User] | None = None) -> None:
    """Push the alert to the site's supervisors' pages and to its machine's terminal; by
    severity, to the webhooks and by e-mail (for an escalation, to the supervisors always)."""
    channels = severity_channels(alert.severity)
    publish(
        name,
        alert_payload(alert),
        site=alert.site,
        topics=[equipment_topic(alert.equipment.code)],
        webhooks=outside and "webhook" in channels,
    )
    people = notify if notify is not None else (supervisors(alert.site) if outside and "email" in channels else [])
    addresses = sorted({p.email for p in people if p.email})
    if not addresses:
        return
    link = settings.SITE_URL.rstrip("/") + f"/mes/alerts/{alert.pk}/"
    subject = (_("Escalated alert: %(message)s") if name.endswith("escalated") else _("Alert: %(message)s")) % {
        "message": f"{alert.equipment.code} {alert.message}"
    }
    body = "\n\n".join(
        [
            subject,
            _("Severity: %(severity)s") % {"severity": AlertSeverity(alert.severity).label},
            _("Recommended: %(actions)s") % {"actions": "; ".join(alert.rule.ranked_actions())},
            _("Open it here: %(url)s") % {"url": link},
        ]
    )
    publish(
        "mes.alert.notification",
        {"alert": alert.pk, "notify": addresses, "subject": subject, "body": body},
        site=alert.site,
        live=False,
        webhooks=False,
    )


# --- the lifecycle -------------------------------------------------------------------------------


def _locked(alert: Alert, user) -> Alert:
    require_site_access(user, alert.site_id)
    return Alert.objects.select_for_update(of=("self",)).select_related("rule", "equipment", "site").get(pk=alert.pk)


def acknowledge_alert(*, alert: Alert, user) -> Alert:
    """Someone has seen the alert and is on it."""
    with transaction.atomic():
        alert = _locked(alert, user)
        ALERT_STATES.apply(
            alert, "acknowledge", user, also={"acknowledged_by": user, "acknowledged_at": timezone.now()}
        )
        _announce(alert, "mes.alert.acknowledged", outside=False)
    return alert


def resolve_alert(*, alert: Alert, user, cause: str, action_taken: str) -> Alert:
    """Close the alert with its cause and the action that cured it; the action counts towards
    the ranking of the rule's recommended actions."""
    cause = (cause or "").strip()
    action_taken = (action_taken or "").strip()
    if not cause:
        raise ValidationFailed(_("Say what caused it."), field="cause", code="required")
    if not action_taken:
        raise ValidationFailed(_("Say what action was taken."), field="action_taken", code="required")
    if len(cause) > 300 or len(action_taken) > 300:
        raise ValidationFailed(
            _("Keep it under 300 characters."), field="cause" if len(cause) > 300 else "action_taken"
        )
    with transaction.atomic():
        alert = _locked(alert, user)
        ALERT_STATES.check(alert, "resolve", user)
        # Lock order: the alert (document), then its rule; NO KEY so new alerts of it still insert.
        rule = AlertRule.objects.select_for_update(no_key=True).get(pk=alert.rule_id)
        canonical = {a.casefold(): a for a in [*rule.recommended_actions, *rule.resolution_counts]}
        action_taken = canonical.get(action_taken.casefold(), action_taken)
        ALERT_STATES.apply(
            alert,
            "resolve",
            user,
            also={"resolved_by": user, "resolved_at": timezone.now(), "cause": cause, "action_taken": action_taken},
        )
        counts = dict(rule.resolution_counts or {})
        counts[action_taken] = counts.get(action_taken, 0) + 1
        AlertRule.objects.filter(pk=rule.pk).update(resolution_counts=counts)
        alert.rule.resolution_counts = counts
        _announce(alert, "mes.alert.resolved", outside=False)
    return alert
