"""Equipment state: every change closes the open state interval and opens the next one, so the
state history OEE reads has no gaps and no overlaps."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.events import publish
from core.scoping import require_site_access
from mes.models import Equipment, EquipmentState, EquipmentStateRecord


def set_equipment_state(
    *, equipment: Equipment, state: str, at=None, reason=None, note: str = "", operation=None
) -> Equipment:
    """Record that `equipment` is in `state` from `at` (now). The caller holds, or this takes,
    the equipment's row lock. No change when the state is the same."""
    at = at or timezone.now()
    if state not in EquipmentState.values:
        raise ValueError(state)
    with transaction.atomic():
        equipment = Equipment.objects.select_for_update().select_related("site", "work_centre").get(pk=equipment.pk)
        if equipment.state == state and equipment.state_records.filter(ended_at__isnull=True).exists():
            return equipment
        EquipmentStateRecord.objects.filter(equipment=equipment, ended_at__isnull=True).update(ended_at=at)
        EquipmentStateRecord.objects.create(
            equipment=equipment, state=state, started_at=at, reason=reason, note=note[:300], operation=operation
        )
        previous = equipment.state
        equipment.state = state
        equipment.state_since = at
        equipment.save(update_fields=["state", "state_since", "updated_at"])
        publish(
            "mes.equipment.state_changed",
            {
                "equipment": equipment.code,
                "work_centre": equipment.work_centre.code,
                "state": state,
                "previous": previous,
                "since": at,
                "reason": reason.code if reason else None,
            },
            site=equipment.site,
        )
    return equipment


def create_equipment(*, work_centre, code: str, name: str, equipment_class, user=None) -> Equipment:
    """Add a piece of equipment to `work_centre`; its state history starts now, idle."""
    from core.scoping import require_site_access

    require_site_access(user, work_centre.site_id)
    with transaction.atomic():
        now = timezone.now()
        equipment = Equipment(
            site=work_centre.site,
            work_centre=work_centre,
            code=code,
            name=name,
            equipment_class=equipment_class,
            state=EquipmentState.IDLE,
            state_since=now,
        )
        equipment._history_user = user
        equipment.full_clean()
        equipment.save()
        EquipmentStateRecord.objects.create(equipment=equipment, state=EquipmentState.IDLE, started_at=now)
    return equipment


def refuse_quality_hold(equipment: Equipment) -> None:
    """Refuse to start, set up or report work on equipment quality holds (409 `quality_hold`)."""
    if equipment.quality_hold_reason:
        raise InvalidTransition(
            _("%(eq)s is on quality hold (%(reason)s); quality must release it first.")
            % {"eq": equipment.code, "reason": equipment.quality_hold_reason},
            code="quality_hold",
        )


def set_equipment_quality_hold(*, equipment: Equipment, reason: str, user) -> Equipment:
    """Quality holds the equipment (`reason`) or lifts its hold (`reason` empty). Work already
    running is left to finish its current step; nothing new starts or is reported while held."""
    reason = (reason or "").strip()[:300]
    require_site_access(user, equipment.site_id)
    with transaction.atomic():
        equipment = Equipment.objects.select_for_update().select_related("site", "work_centre").get(pk=equipment.pk)
        if equipment.quality_hold_reason == reason:
            return equipment
        equipment.quality_hold_reason = reason
        equipment._history_user = user
        equipment.save(update_fields=["quality_hold_reason", "updated_at"])
        publish(
            "mes.equipment.quality_held" if reason else "mes.equipment.quality_released",
            {"equipment": equipment.code, "work_centre": equipment.work_centre.code, "reason": reason},
            site=equipment.site,
        )
    return equipment
