"""The events quality subscribes to.

- `qms.spc.violation` (published by `qms.services.spc_monitor` when new measurements break a
  Nelson rule): a characteristic with `hold_on_violation` holds the lots and work orders the
  violating subgroup was measured on, with the reason "SPC rule N". It runs in the evaluating
  transaction, so the hold stands or falls with the evaluation; a target already held, or one
  that can no longer be held (a consumed lot, a closed order), is left as it is.
- `wms.lot.status_changed`: a lot under an active hold leaves `on_hold` only through the hold.
- `qms.measurements.recorded` (payload in `qms.services.spc_monitor`): the new subgroups are
  judged against the limits and rules, after commit.
- `wms.receipt.inspection_required`, `mes.production.reported` and the `mes.telemetry` signal:
  incoming, final and in-process inspections open, and gauge values arriving as machine-data
  tags are recorded (`qms.services.inspections`).

Quality also publishes `qms.spc.limits_set` (phase II limits fixed from a baseline).
"""

import logging
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import InvalidTransition
from core.events import on_signal, subscribe
from mes.models import Operation, ProductionReport, WorkOrder
from mes.services.work_orders import QUALITY_HOLDABLE
from qms.models import Characteristic, HoldReason, HoldStatus, QualityHold, Stage
from qms.services import inspections
from wms.models import Lot
from wms.services.lots import LOT_STATES

log = logging.getLogger(__name__)


def violation_reason(characteristic, rules, subgroup) -> str:
    numbers = ", ".join(str(rule) for rule in rules)
    return ngettext(
        "SPC rule %(rules)s on %(characteristic)s, subgroup %(subgroup)s",
        "SPC rules %(rules)s on %(characteristic)s, subgroup %(subgroup)s",
        len(rules),
    ) % {"rules": numbers, "characteristic": characteristic.code, "subgroup": subgroup}


@subscribe("qms.spc.violation")
def hold_on_violation(event) -> None:
    from qms.services.holds import place_hold

    payload = event.payload or {}
    characteristic = Characteristic.objects.filter(pk=payload.get("characteristic"), hold_on_violation=True).first()
    if characteristic is None:
        return
    rules = sorted({int(rule) for rule in payload.get("rules") or []})
    if not rules:
        return
    reason = violation_reason(characteristic, rules, payload.get("subgroup", ""))
    site_filter = {"site": event.site} if event.site is not None else {"site__code": payload.get("site")}
    free = {"quality_holds__status": HoldStatus.ACTIVE}
    lots = (
        Lot.objects.filter(pk__in=payload.get("lots") or [], status__in=LOT_STATES.sources("hold"), **site_filter)
        .exclude(**free)
        .order_by("pk")
    )
    orders = (
        WorkOrder.objects.filter(pk__in=payload.get("work_orders") or [], status__in=QUALITY_HOLDABLE, **site_filter)
        .exclude(**free)
        .order_by("pk")
    )
    targets = [{"lot": lot} for lot in lots] + [{"work_order": order} for order in orders]
    for target in targets:
        try:
            # A savepoint per target: one that another transaction held meanwhile is skipped
            # without spoiling the evaluation's transaction.
            with transaction.atomic():
                place_hold(
                    user=None,
                    reason_code=HoldReason.SPC_VIOLATION,
                    reason=reason,
                    characteristic=characteristic,
                    **target,
                )
        except InvalidTransition as refusal:
            log.info("SPC hold of %s not placed: %s", target, refusal.message)


@subscribe("wms.lot.status_changed")
def keep_held_lots_on_hold(event) -> None:
    """A lot under an active quality hold leaves `on_hold` only through the hold's release
    (`release_hold` marks the hold released before it gives the lot its status back), or by
    being rejected (quality's disposition of the held stock)."""

    payload = event.payload or {}
    if payload.get("from") != "on_hold" or payload.get("to") == "rejected":
        return
    hold = (
        QualityHold.objects.filter(
            status=HoldStatus.ACTIVE, lot__code=payload.get("lot"), lot__item__code=payload.get("item"), site=event.site
        )
        .only("number")
        .first()
    )
    if hold is not None:
        raise InvalidTransition(
            _("Lot %(lot)s is under quality hold %(hold)s: release the hold instead.")
            % {"lot": payload.get("lot"), "hold": hold.number},
            code="quality_hold",
        )


@subscribe("qms.measurements.recorded", after_commit=True)
def evaluate_recorded_measurements(event) -> None:
    """New subgroups were recorded: judge them against the limits and rules (after commit)."""
    from core.models import Site
    from qms.models import Characteristic
    from qms.services.spc_monitor import evaluate_new

    payload = event.payload
    characteristic = Characteristic.objects.filter(pk=payload.get("characteristic")).select_related("item").first()
    site = Site.objects.filter(code=payload.get("site")).first()
    if characteristic is None or site is None:
        return
    subgroups = payload.get("subgroups") or [None]
    evaluate_new(characteristic=characteristic, site=site, since_subgroup=subgroups[0])


@subscribe("wms.receipt.inspection_required")
def open_incoming_inspection(event) -> None:
    """A lot received into quarantine: one incoming task per active plan of its item."""
    payload = event.payload
    if not payload.get("lot"):
        return
    lot = Lot.objects.select_related("item", "site").get(
        site_id=event.site_id, item__code=payload["item"], code=payload["lot"]
    )
    inspections.open_lot_inspections(lot=lot, stage=Stage.INCOMING)


@subscribe("mes.production.reported")
def open_production_inspections(event) -> None:
    """Output of an item with a final plan goes to quarantine with a final task; good units past
    a multiple of an in-process plan's N open an in-process task."""
    payload = event.payload
    if not inspections.output_is_inspected(payload["operation"]):
        return
    report = ProductionReport.objects.select_related("user").get(pk=payload["report"])
    operation = Operation.objects.select_related("work_order__item", "work_order__site", "equipment").get(
        pk=payload["operation"]
    )
    good = Decimal(payload["good"])
    if good > 0:
        after = Decimal(payload["operation_good"])
        inspections.open_unit_inspections(operation=operation, good_before=after - good, good_after=after)
    for produced in payload.get("produced", []):
        if produced.get("lot"):
            lot = Lot.objects.select_related("item", "site").get(
                site_id=event.site_id, item=operation.work_order.item, code=produced["lot"]
            )
            inspections.open_final_inspections(lot=lot, user=report.user)


@on_signal("mes.telemetry")
def record_gauge_tags(records) -> int:
    return inspections.record_machine_values(records)
