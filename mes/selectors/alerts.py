"""Reads of alert rules and alerts, scoped to the user's sites: open alerts first, the most
severe first; and the `mes_alerts_open` metric, read from the database."""

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from prometheus_client.core import GaugeMetricFamily

from mes.models import OPEN_ALERT_STATUSES, Alert, AlertRule, AlertSeverity, AlertStatus


def alert_rule_list(*, user) -> QuerySet[AlertRule]:
    return AlertRule.objects.for_user(user).select_related("site", "equipment", "equipment_class")


def alert_list(*, user) -> QuerySet[Alert]:
    """Open before resolved, critical before warning before info, newest first."""
    return (
        Alert.objects.for_user(user)
        .select_related("site", "equipment", "rule", "acknowledged_by", "resolved_by")
        .annotate(
            open_rank=Case(
                When(status=AlertStatus.RAISED, then=Value(0)),
                When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            severity_rank=Case(
                When(severity=AlertSeverity.CRITICAL, then=Value(0)),
                When(severity=AlertSeverity.WARNING, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("open_rank", "severity_rank", "-raised_at", "-id")
    )


def open_alert_counts(*, user=None) -> dict[str, int]:
    """severity -> open alerts (every severity listed)."""
    alerts = Alert.objects.filter(status__in=OPEN_ALERT_STATUSES)
    if user is not None:
        alerts = alerts.for_user(user)
    counts = dict(alerts.values_list("severity").annotate(n=Count("id")).order_by())
    return {severity: counts.get(severity, 0) for severity in AlertSeverity.values}


def alert_metrics():
    """`mes_alerts_open{severity}` for /metrics (core.metrics)."""
    gauge = GaugeMetricFamily("mes_alerts_open", "Alerts raised or acknowledged, not yet resolved", labels=["severity"])
    for severity, count in open_alert_counts().items():
        gauge.add_metric([severity], count)
    yield gauge
