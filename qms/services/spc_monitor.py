"""Evaluation of new SPC data: the newest subgroups of a characteristic at a site judged against
its stored limits (phase I over the recent data when none are set) and its Nelson rules.

Whoever records Measurements either calls `evaluate_new(characteristic=, site=, since_subgroup=)`
after writing them, or publishes, in the transaction that wrote them, the event

    qms.measurements.recorded  {"characteristic": <id>, "site": "<site code>", "subgroups": ["<key>", ...]}

whose after-commit subscriber (`qms/events.py`) runs `evaluate_new` from the outbox, with retries.

On a rule broken by a subgroup not evaluated before:

- an alert through the machine-data alert mechanism (`mes.services.alerts.record_firings`), on an
  alert rule of condition `spc_violation` kept per characteristic and site, with recommended
  actions: one open alert per characteristic and site; a repeat while it is open updates it;
- the event `qms.spc.violation` per subgroup, in this transaction:
  `{"characteristic", "site", "rules", "subgroup", "lots", "work_orders", "equipment", "measured_at"}`.

Each call updates the characteristic's `SpcStatus` row (the status board reads it). The status row
is locked while evaluating and remembers the newest subgroup evaluated, so the same subgroup
evaluated twice, even at once, alerts once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import publish
from mes.models import AlertRule, Equipment
from mes.models.alerts import AlertCondition, AlertSeverity
from mes.services.alerts import Firing, record_firings
from qms.models import Characteristic, SpcColour, SpcStatus
from qms.selectors import spc as selectors
from qms.services.spc import RULE_LABELS
from qms.services.spc_charts import DEFAULT_SUBGROUPS, MeasurementChart, chart_measurements

# The status board judges a characteristic on its newest subgroups.
RECENT_SUBGROUPS = 25
CAPABLE_CPK = 1.33
MINIMUM_CPK = 1.0


def recommended_actions() -> list[str]:
    return [
        _("Stop and check the last parts against the specification"),
        _("Check the gauge and the measurement method"),
        _("Check tool wear, setup and material of the equipment"),
        _("Put the affected output on hold until the cause is known"),
    ]


def judge(chart: MeasurementChart) -> dict:
    """Colour of a chart's newest `RECENT_SUBGROUPS` subgroups: red for a point beyond the
    control limits (rule 1), a measurement out of specification or Cpk below 1.0; amber for Cpk
    below 1.33 or any other rule broken; green otherwise."""
    result = chart.result
    if result is None:
        return {"colour": SpcColour.NONE, "reasons": [], "rules": [], "out_of_spec": False, "cpk": None}
    count = result.subgroups
    recent = {v["rule"] for v in result.violations if v["subgroup"] > count - RECENT_SUBGROUPS}
    labels = [str(label) for label in result.labels[-RECENT_SUBGROUPS:]]
    rows = chart.frame[chart.frame["subgroup"].isin(labels)]
    out = bool(rows["out_of_spec"].any())
    characteristic = chart.characteristic
    if characteristic.kind == "variable" and not rows.empty:
        values = rows["value"].astype(float)
        if characteristic.lsl is not None:
            out = out or bool((values < float(characteristic.lsl)).any())
        if characteristic.usl is not None:
            out = out or bool((values > float(characteristic.usl)).any())
    cpk = result.capability.cpk if result.capability is not None else None
    reasons = []
    if 1 in recent:
        reasons.append("rule_1")
    if out:
        reasons.append("out_of_spec")
    if cpk is not None and cpk < MINIMUM_CPK:
        reasons.append("cpk_low")
    colour = SpcColour.RED if reasons else SpcColour.GREEN
    if not reasons:
        if cpk is not None and cpk < CAPABLE_CPK:
            reasons.append("cpk_marginal")
        if recent - {1}:
            reasons.append("rules")
        colour = SpcColour.AMBER if reasons else SpcColour.GREEN
    return {"colour": colour, "reasons": reasons, "rules": sorted(recent), "out_of_spec": out, "cpk": cpk}


def _locked_status(characteristic: Characteristic, site) -> SpcStatus:
    try:
        with transaction.atomic():
            SpcStatus.objects.get_or_create(characteristic=characteristic, site=site)
    except IntegrityError:
        pass  # made by a concurrent evaluation a moment ago
    return SpcStatus.objects.select_for_update().get(characteristic=characteristic, site=site)


def _store(status: SpcStatus, chart: MeasurementChart, verdict: dict) -> None:
    status.colour = verdict["colour"]
    status.reasons = verdict["reasons"]
    status.recent_rules = verdict["rules"]
    status.out_of_spec = verdict["out_of_spec"]
    status.cpk = verdict["cpk"]
    result = chart.result
    status.subgroups = 0 if result is None else result.subgroups
    status.last_value = None if result is None or not result.subgroups else float(result.points[-1])
    machines = chart.frame["equipment"].dropna()
    if not machines.empty:
        centre = Equipment.objects.filter(pk=int(machines.iloc[-1])).values_list("work_centre_id", flat=True).first()
        status.work_centre_id = centre
    status.save()


def refresh_status(*, characteristic: Characteristic, site) -> SpcStatus:
    """Recompute the status row from the recent data (after limits change), alerting nothing."""
    with transaction.atomic():
        status = _locked_status(characteristic, site)
        chart = chart_measurements(characteristic=characteristic, site=site, last=DEFAULT_SUBGROUPS)
        _store(status, chart, judge(chart))
        if chart.result is not None and chart.result.subgroups and not status.evaluated_subgroup:
            status.evaluated_subgroup = str(chart.result.labels[-1])
            status.evaluated_at = chart.firsts[-1]
            status.save(update_fields=["evaluated_subgroup", "evaluated_at"])
    return status


def _alert_rule(status: SpcStatus, characteristic: Characteristic, site, equipment_ids: list[int]) -> AlertRule | None:
    """The characteristic's SPC alert rule at the site, made on its first violation on the
    equipment the measurements name (alerts belong to a machine). None when none is named yet."""
    if status.alert_rule_id:
        return status.alert_rule
    if not equipment_ids:
        return None
    machine = Equipment.objects.filter(pk__in=equipment_ids, site=site).order_by("pk").first()
    if machine is None:
        return None
    rule = AlertRule.objects.create(
        site=site,
        name=(
            _("SPC %(item)s %(characteristic)s")
            % {"item": characteristic.item.code, "characteristic": characteristic.code}
        )[:200],
        equipment=machine,
        condition=AlertCondition.SPC_VIOLATION,
        severity=AlertSeverity.CRITICAL,
        recommended_actions=recommended_actions(),
    )
    status.alert_rule = rule
    return rule


def evaluate_new(*, characteristic: Characteristic, site, since_subgroup: str | None = None) -> list[dict]:
    """Judge the subgroups not evaluated before (from `since_subgroup` on when given); alert and
    publish `qms.spc.violation` for each that breaks a rule. Returns the violations found as
    `{"subgroup": key, "rules": [...]}`."""
    found = []
    with transaction.atomic():
        status = _locked_status(characteristic, site)
        chart = chart_measurements(characteristic=characteristic, site=site, last=DEFAULT_SUBGROUPS)
        result = chart.result
        if result is None:
            _store(status, chart, judge(chart))
            return []
        labels = [str(label) for label in result.labels]
        firsts = chart.firsts
        done = (status.evaluated_at, status.evaluated_subgroup) if status.evaluated_at else None
        start = 0
        if since_subgroup is not None and since_subgroup in labels:
            start = labels.index(since_subgroup)
        new = [i for i in range(start, len(labels)) if done is None or (firsts[i], labels[i]) > done]
        by_subgroup: dict[int, list[int]] = {}
        for violation in result.violations:
            index = violation["subgroup"] - 1
            if index in new:
                by_subgroup.setdefault(index, []).append(violation["rule"])
        for index, rules in sorted(by_subgroup.items()):
            links = selectors.subgroup_links(chart.frame, labels[index])
            payload = {
                "characteristic": characteristic.pk,
                "site": site.code,
                "rules": rules,
                "subgroup": labels[index],
                **links,
                "measured_at": firsts[index].isoformat(),
            }
            publish("qms.spc.violation", payload, site=site)
            found.append({"subgroup": labels[index], "rules": rules, "equipment": links["equipment"], "index": index})
        if found:
            latest = found[-1]
            rule = _alert_rule(status, characteristic, site, latest["equipment"])
            if rule is not None:
                text = _("%(characteristic)s subgroup %(subgroup)s: %(rules)s") % {
                    "characteristic": f"{characteristic.item.code} {characteristic.code}",
                    "subgroup": latest["subgroup"],
                    "rules": "; ".join(
                        _("rule %(n)s (%(text)s)") % {"n": n, "text": RULE_LABELS[n]} for n in sorted(latest["rules"])
                    ),
                }
                record_firings(
                    [
                        Firing(
                            rule=rule,
                            equipment_id=rule.equipment_id,
                            value=float(result.points[latest["index"]]),
                            at=timezone.now(),
                            message=text,
                        )
                    ]
                )
        if new:
            status.evaluated_at = firsts[new[-1]]
            status.evaluated_subgroup = labels[new[-1]]
        _store(status, chart, judge(chart))
    return [{"subgroup": f["subgroup"], "rules": f["rules"]} for f in found]
