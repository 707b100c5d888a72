"""Reorder rules: the reorder point and safety stock of an item at a site (its StockPolicy row,
which also holds the site's ABC class of the item). Changing a rule re-checks the item's stock
alerts at once, so the alert list never shows a limit that no longer holds."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.events import publish
from core.quantities import plain_quantity
from core.scoping import require_site_access
from wms.models import StockPolicy
from wms.services.alerts import recheck_stock_level_alerts

RULE_FIELDS = ("reorder_point", "safety_stock")


def _check_levels(reorder_point: Decimal, safety_stock: Decimal) -> None:
    for name, value in (("reorder_point", reorder_point), ("safety_stock", safety_stock)):
        if value is None or value < 0:
            raise ValidationFailed(_("Enter zero or more."), field=name, code="min_value")
    if reorder_point and safety_stock > reorder_point:
        raise ValidationFailed(
            _("The safety stock cannot be above the reorder point."), field="safety_stock", code="above_reorder"
        )


def _published(policy: StockPolicy, event: str) -> None:
    publish(
        event,
        {
            "item": policy.item.code,
            "reorder_point": plain_quantity(policy.reorder_point),
            "safety_stock": plain_quantity(policy.safety_stock),
        },
        site=policy.site,
        live=False,
    )


def set_reorder_rule(*, user, site, item, reorder_point: Decimal, safety_stock: Decimal = Decimal("0")) -> StockPolicy:
    """The item's reorder point and safety stock at `site` (in its base unit), created or
    replaced; its stock alerts are re-checked against the new limits."""
    require_site_access(user, site)
    _check_levels(reorder_point, safety_stock)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a rule made at the same moment by someone else is replaced
                policy, _created = StockPolicy.objects.select_for_update().get_or_create(site=site, item=item)
        except IntegrityError:
            policy = StockPolicy.objects.select_for_update().get(site=site, item=item)
        policy.reorder_point = reorder_point
        policy.safety_stock = safety_stock
        policy.full_clean()
        policy.save(update_fields=list(RULE_FIELDS))
        _published(policy, "wms.reorder_rule.set")
    recheck_stock_level_alerts(site=site, item=item)
    return policy


def update_reorder_rule(*, policy: StockPolicy, user, reorder_point: Decimal, safety_stock: Decimal) -> StockPolicy:
    """Change an existing rule's limits."""
    return set_reorder_rule(
        user=user, site=policy.site, item=policy.item, reorder_point=reorder_point, safety_stock=safety_stock
    )


def remove_reorder_rule(*, policy: StockPolicy, user) -> None:
    """No reorder point or safety stock for the item at the site any more. The site's ABC class of
    the item, kept on the same row, stays."""
    require_site_access(user, policy.site_id, message=_("Unknown reorder rule."))
    with transaction.atomic():
        locked = StockPolicy.objects.select_for_update().filter(pk=policy.pk).first()
        if locked is None:
            return
        if locked.abc_class:
            locked.reorder_point = locked.safety_stock = Decimal("0")
            locked.save(update_fields=list(RULE_FIELDS))
        else:
            locked.delete()
        locked.site, locked.item = policy.site, policy.item
        locked.reorder_point = locked.safety_stock = Decimal("0")
        _published(locked, "wms.reorder_rule.removed")
    recheck_stock_level_alerts(site=policy.site, item=policy.item)
