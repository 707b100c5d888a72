"""Inventory alerts: conditions of the stock someone should act on.

`evaluate_alerts` looks at a whole site, one query per kind of condition, and reconciles the
result with the open alerts: a new condition raises an alert (event `wms.alert.raised`), a
condition that is gone resolves its alert (`wms.alert.resolved`). Each condition has a `key`, and
at most one alert per key is open, so running it again changes nothing. The stock subscriber in
wms.events re-checks the reorder and safety-stock alerts of one item after each move.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.dates import site_today
from core.events import publish
from core.locking import lock_site_work
from core.models import Site
from core.quantities import plain_quantity
from wms.models import (
    AlertKind,
    AlertSeverity,
    Bin,
    InventoryAlert,
    LotStatus,
    MoveKind,
    StockMove,
    StockPolicy,
    StockQuant,
)
from wms.models.alerts import render_alert_text
from wms.services.lots import usable_lot_q

DECIMAL = DecimalField(max_digits=24, decimal_places=6)
# Moves that take stock out to be used or sold: what makes an item "move".
CONSUMING_KINDS = (MoveKind.ISSUE, MoveKind.SHIPMENT)
STOCK_KINDS = (AlertKind.BELOW_REORDER, AlertKind.BELOW_SAFETY)


@dataclass
class Condition:
    kind: str
    key: str
    severity: str
    text: dict  # {"template", "params", "lists"}: translated when shown (render_alert_text)
    item_id: int | None = None
    lot_id: int | None = None
    bin_id: int | None = None
    details: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)  # item, lot and bin codes for the event payload

    @property
    def message(self) -> str:
        """The text in the source language, stored for logs, webhooks and the API."""
        return render_alert_text(self.text, translate=str)

    @property
    def stored_details(self) -> dict:
        return {**self.details, "text": self.text}


def _available_on_hand(site: Site, today):
    """Subquery: on-hand of usable stock of the outer row's item at the site (available or
    untracked lots, not past expiry, not in a blocked bin)."""
    return Coalesce(
        Subquery(
            StockQuant.objects.filter(site=site, item=OuterRef("item"), quantity__gt=0, bin__blocked=False)
            .filter(Q(lot__isnull=True) | usable_lot_q(today=today))
            .values("item")
            .annotate(total=Sum("quantity"))
            .values("total")[:1],
            output_field=DECIMAL,
        ),
        Value(Decimal(0)),
        output_field=DECIMAL,
    )


def _text(template: str, params: dict, *, lists: dict | None = None) -> dict:
    """An alert's text kept as its source template and values, so each reader sees it in their
    own language (`render_alert_text`)."""
    return {"template": template, "params": params, "lists": lists or {}}


def stock_level_conditions(*, site: Site, today, item=None) -> list[Condition]:
    """Items whose usable stock is below their reorder point or safety stock."""
    policies = StockPolicy.objects.filter(site=site).filter(Q(reorder_point__gt=0) | Q(safety_stock__gt=0))
    if item is not None:
        policies = policies.filter(item=item)
    rows = policies.annotate(on_hand=_available_on_hand(site, today)).values(
        "item_id", "item__code", "item__base_unit__code", "reorder_point", "safety_stock", "on_hand"
    )
    found = []
    for row in rows:
        params = {
            "item": row["item__code"],
            "on_hand": plain_quantity(row["on_hand"]),
            "unit": row["item__base_unit__code"],
        }
        details = {
            "on_hand": plain_quantity(row["on_hand"]),
            "reorder_point": plain_quantity(row["reorder_point"]),
            "safety_stock": plain_quantity(row["safety_stock"]),
        }
        for kind, severity, limit, message in (
            (
                AlertKind.BELOW_REORDER,
                AlertSeverity.WARNING,
                "reorder_point",
                gettext_noop("%(item)s: %(on_hand)s %(unit)s available, below the reorder point of %(limit)s."),
            ),
            (
                AlertKind.BELOW_SAFETY,
                AlertSeverity.CRITICAL,
                "safety_stock",
                gettext_noop("%(item)s: %(on_hand)s %(unit)s available, below the safety stock of %(limit)s."),
            ),
        ):
            if row["on_hand"] < row[limit]:
                found.append(
                    Condition(
                        kind=kind,
                        key=f"{kind.value}:{row['item_id']}",
                        codes={"item": row["item__code"]},
                        severity=severity,
                        item_id=row["item_id"],
                        text=_text(message, {**params, "limit": plain_quantity(row[limit])}),
                        details=details,
                    )
                )
    return found


def lot_expiry_conditions(*, site: Site, today, within_days: int) -> list[Condition]:
    """Available lots with stock that expire within `within_days`, or have already expired."""
    rows = (
        StockQuant.objects.filter(
            site=site,
            quantity__gt=0,
            lot__status=LotStatus.AVAILABLE,
            lot__expiry__isnull=False,
            lot__expiry__lte=today + timedelta(days=within_days),
        )
        .values("lot_id", "lot__code", "lot__expiry", "item_id", "item__code", "item__base_unit__code")
        .annotate(quantity=Sum("quantity"))
        .order_by("lot__expiry", "lot_id")
    )
    found = []
    for row in rows:
        expiry = row["lot__expiry"]
        params = {
            "item": row["item__code"],
            "lot": row["lot__code"],
            "date": expiry.isoformat(),
            "quantity": plain_quantity(row["quantity"]),
            "unit": row["item__base_unit__code"],
        }
        details = {
            "expiry": expiry.isoformat(),
            "days_left": (expiry - today).days,
            "quantity": plain_quantity(row["quantity"]),
        }
        if expiry < today:
            found.append(
                Condition(
                    kind=AlertKind.EXPIRED_AVAILABLE,
                    key=f"expired_available:{row['lot_id']}",
                    codes={"item": row["item__code"], "lot": row["lot__code"]},
                    severity=AlertSeverity.CRITICAL,
                    item_id=row["item_id"],
                    lot_id=row["lot_id"],
                    text=_text(
                        gettext_noop(
                            "%(item)s lot %(lot)s expired on %(date)s but is still available (%(quantity)s %(unit)s)."
                        ),
                        params,
                    ),
                    details=details,
                )
            )
        else:
            found.append(
                Condition(
                    kind=AlertKind.EXPIRING,
                    key=f"expiring:{row['lot_id']}",
                    codes={"item": row["item__code"], "lot": row["lot__code"]},
                    severity=AlertSeverity.WARNING,
                    item_id=row["item_id"],
                    lot_id=row["lot_id"],
                    text=_text(
                        gettext_noop("%(item)s lot %(lot)s expires on %(date)s (%(quantity)s %(unit)s on hand)."),
                        params,
                    ),
                    details=details,
                )
            )
    return found


def bin_capacity_conditions(*, site: Site) -> list[Condition]:
    """Bins holding more volume, weight or lots than they are rated for."""
    held = Q(stock__quantity__gt=0)
    rows = (
        Bin.objects.filter(warehouse__site=site)
        .filter(Q(max_volume_l__isnull=False) | Q(max_weight_kg__isnull=False) | Q(max_lots__isnull=False))
        .annotate(
            volume=Sum(
                ExpressionWrapper(F("stock__quantity") * F("stock__item__unit_volume_l"), output_field=DECIMAL),
                filter=held,
            ),
            weight=Sum(
                ExpressionWrapper(F("stock__quantity") * F("stock__item__unit_weight_kg"), output_field=DECIMAL),
                filter=held,
            ),
            lots=Count("stock", filter=held),
        )
        .values("id", "code", "max_volume_l", "max_weight_kg", "max_lots", "volume", "weight", "lots")
    )
    found = []
    for row in rows:
        over = []
        if row["max_volume_l"] is not None and (row["volume"] or 0) > row["max_volume_l"]:
            over.append(
                [
                    gettext_noop("%(used)s of %(max)s l"),
                    {"used": plain_quantity(row["volume"]), "max": plain_quantity(row["max_volume_l"])},
                ]
            )
        if row["max_weight_kg"] is not None and (row["weight"] or 0) > row["max_weight_kg"]:
            over.append(
                [
                    gettext_noop("%(used)s of %(max)s kg"),
                    {"used": plain_quantity(row["weight"]), "max": plain_quantity(row["max_weight_kg"])},
                ]
            )
        if row["max_lots"] is not None and row["lots"] > row["max_lots"]:
            over.append([gettext_noop("%(used)s of %(max)s lots"), {"used": row["lots"], "max": row["max_lots"]}])
        if not over:
            continue
        found.append(
            Condition(
                kind=AlertKind.BIN_OVER_CAPACITY,
                key=f"bin_over_capacity:{row['id']}",
                codes={"bin": row["code"]},
                severity=AlertSeverity.WARNING,
                bin_id=row["id"],
                text=_text(
                    gettext_noop("Bin %(bin)s is over capacity: %(over)s."), {"bin": row["code"]}, lists={"over": over}
                ),
                details={
                    "volume_l": plain_quantity(row["volume"] or 0),
                    "weight_kg": plain_quantity(row["weight"] or 0),
                    "lots": row["lots"],
                },
            )
        )
    return found


def slow_mover_conditions(*, site: Site, days: int, now=None) -> list[Condition]:
    """Items on hand at the site for at least `days` with no issue or shipment in that time."""
    now = now or timezone.now()
    since = now - timedelta(days=days)
    moves = StockMove.objects.filter(site=site, item=OuterRef("item_id"))
    rows = (
        StockQuant.objects.filter(site=site, quantity__gt=0)
        .values("item_id", "item__code", "item__base_unit__code")
        .annotate(
            quantity=Sum("quantity"),
            last_out=Subquery(moves.filter(kind__in=CONSUMING_KINDS).order_by("-created_at").values("created_at")[:1]),
            first_move=Subquery(moves.order_by("created_at").values("created_at")[:1]),
        )
        .filter(first_move__lte=since)
        .filter(Q(last_out__isnull=True) | Q(last_out__lt=since))
        .order_by("item__code")
    )
    found = []
    for row in rows:
        last_out = row["last_out"]
        found.append(
            Condition(
                kind=AlertKind.SLOW_MOVER,
                key=f"slow_mover:{row['item_id']}",
                codes={"item": row["item__code"]},
                severity=AlertSeverity.INFO,
                item_id=row["item_id"],
                text=_text(
                    gettext_noop("%(item)s: %(quantity)s %(unit)s on hand and none used or shipped for %(days)s days."),
                    {
                        "item": row["item__code"],
                        "quantity": plain_quantity(row["quantity"]),
                        "unit": row["item__base_unit__code"],
                        "days": days,
                    },
                ),
                details={
                    "quantity": plain_quantity(row["quantity"]),
                    "last_outbound": last_out.isoformat() if last_out else None,
                },
            )
        )
    return found


def evaluate_alerts(*, site: Site, today=None, expiring_within_days: int = 30, slow_mover_days: int = 90) -> dict:
    """Raise alerts for every current condition of the site's stock and resolve the ones whose
    condition is gone. Returns {"raised", "resolved", "open"}."""
    today = today or site_today(site)
    with transaction.atomic():
        # One evaluation of a site at a time (the periodic task and a manual run may overlap).
        lock_site_work(site, "wms.alert_evaluation")
        conditions = [
            *stock_level_conditions(site=site, today=today),
            *lot_expiry_conditions(site=site, today=today, within_days=expiring_within_days),
            *bin_capacity_conditions(site=site),
            *slow_mover_conditions(site=site, days=slow_mover_days),
        ]
        raised, resolved = _reconcile(site=site, conditions=conditions, scope=None)
        open_count = InventoryAlert.objects.filter(site=site, resolved_at__isnull=True).count()
    return {"raised": raised, "resolved": resolved, "open": open_count}


def recheck_stock_level_alerts(*, site: Site, item) -> dict:
    """Re-check the reorder and safety-stock alerts of one item (after its stock moved)."""
    today = site_today(site)
    with transaction.atomic():
        if not StockPolicy.objects.filter(site=site, item=item).exists() and not _open_stock_alerts(site, item):
            return {"raised": 0, "resolved": 0}
        conditions = stock_level_conditions(site=site, today=today, item=item)
        scope = Q(kind__in=STOCK_KINDS, item=item)
        raised, resolved = _reconcile(site=site, conditions=conditions, scope=scope)
    return {"raised": raised, "resolved": resolved}


def _open_stock_alerts(site, item) -> bool:
    return InventoryAlert.objects.filter(site=site, item=item, kind__in=STOCK_KINDS, resolved_at__isnull=True).exists()


def _reconcile(*, site: Site, conditions: list[Condition], scope: Q | None) -> tuple[int, int]:
    """Make the open alerts (within `scope`) match `conditions`: raise new, refresh kept, resolve gone."""
    current = {c.key: c for c in conditions}
    open_alerts = InventoryAlert.objects.filter(site=site, resolved_at__isnull=True)
    if scope is not None:
        open_alerts = open_alerts.filter(scope)
    open_by_key = {a.key: a for a in open_alerts.select_related("item", "lot", "bin")}

    changed = []
    for key, alert in open_by_key.items():
        condition = current.get(key)
        if condition is not None and (alert.message, alert.details, alert.severity) != (
            condition.message[:300],
            condition.stored_details,
            condition.severity,
        ):
            alert.message, alert.details, alert.severity = (
                condition.message[:300],
                condition.stored_details,
                condition.severity,
            )
            changed.append(alert)
    if changed:
        InventoryAlert.objects.bulk_update(changed, ["message", "details", "severity"])

    gone = [alert for key, alert in open_by_key.items() if key not in current]
    if gone:
        now = timezone.now()
        InventoryAlert.objects.filter(pk__in=[a.pk for a in gone]).update(resolved_at=now)
        for alert in gone:
            alert.resolved_at = now
            codes = {
                "item": alert.item.code if alert.item_id else None,
                "lot": alert.lot.code if alert.lot_id else None,
                "bin": alert.bin.code if alert.bin_id else None,
            }
            publish("wms.alert.resolved", _payload(alert, codes), site=site)

    raised = 0
    for key, condition in current.items():
        if key in open_by_key:
            continue
        alert = _raise(site, condition)
        if alert is not None:
            raised += 1
            publish("wms.alert.raised", _payload(alert, condition.codes), site=site)
    return raised, len(gone)


def _raise(site: Site, condition: Condition) -> InventoryAlert | None:
    """Insert the alert; when another process raised the same key meanwhile, keep theirs."""
    try:
        with transaction.atomic():
            return InventoryAlert.objects.create(
                site=site,
                kind=condition.kind,
                severity=condition.severity,
                key=condition.key,
                item_id=condition.item_id,
                lot_id=condition.lot_id,
                bin_id=condition.bin_id,
                message=condition.message[:300],
                details=condition.stored_details,
            )
    except IntegrityError:
        return None


def _payload(alert: InventoryAlert, codes: dict) -> dict:
    return {
        "alert": alert.pk,
        "kind": alert.kind,
        "severity": alert.severity,
        "key": alert.key,
        "item": codes.get("item"),
        "lot": codes.get("lot"),
        "bin": codes.get("bin"),
        "message": alert.message,
        "details": alert.details,
    }
