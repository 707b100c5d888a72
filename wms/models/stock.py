from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet

QUANTITY = {"max_digits": 18, "decimal_places": 6}


class StockQuant(models.Model):
    """On-hand quantity of one item (and lot) in one bin: derived from the moves, kept in step
    with them in the same transaction under a row lock."""

    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+")
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="stock")
    bin = models.ForeignKey("wms.Bin", models.PROTECT, related_name="stock")
    lot = models.ForeignKey("wms.Lot", models.PROTECT, null=True, blank=True, related_name="stock")
    quantity = models.DecimalField(_("quantity"), default=0, **QUANTITY)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["item__code", "bin__code"]
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.UniqueConstraint(
                fields=["item", "bin", "lot"],
                condition=models.Q(lot__isnull=False),
                name="quant_unique_lot",
            ),
            models.UniqueConstraint(
                fields=["item", "bin"],
                condition=models.Q(lot__isnull=True),
                name="quant_unique_no_lot",
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="quant_never_negative"),
        ]
        indexes = [
            models.Index(fields=["item", "site"], name="quant_item_site"),
            models.Index(fields=["lot"], name="quant_lot"),
        ]

    def __str__(self):
        return f"{self.item.code} {self.quantity} @ {self.bin.code}"


class MoveKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    ISSUE = "issue", _("Issue to production")
    TRANSFER = "transfer", _("Transfer / putaway")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    SCRAP = "scrap", _("Scrap")
    SHIPMENT = "shipment", _("Shipment")
    PRODUCTION_RECEIPT = "production_receipt", _("Production receipt")


class ImmutableRecord(Exception):
    pass


class StockMove(models.Model):
    """One line of the stock ledger. Never edited or deleted: a mistake is corrected by a new move."""

    kind = models.CharField(_("kind"), max_length=20, choices=MoveKind.choices)
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="moves", verbose_name=_("item"))
    lot = models.ForeignKey(
        "wms.Lot", models.PROTECT, null=True, blank=True, related_name="moves", verbose_name=_("lot")
    )
    from_bin = models.ForeignKey(
        "wms.Bin",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="moves_out",
        verbose_name=_("from bin"),
    )
    to_bin = models.ForeignKey(
        "wms.Bin",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="moves_in",
        verbose_name=_("to bin"),
    )
    quantity = models.DecimalField(_("quantity (base unit)"), **QUANTITY)
    entered_quantity = models.DecimalField(_("quantity entered"), **QUANTITY)
    entered_unit = models.ForeignKey("core.Unit", models.PROTECT, related_name="+", verbose_name=_("unit entered"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("user"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="move_quantity_positive"),
            models.CheckConstraint(
                condition=models.Q(from_bin__isnull=False) | models.Q(to_bin__isnull=False),
                name="move_has_a_bin",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "created_at"], name="move_item_time"),
            models.Index(fields=["site", "kind", "created_at"], name="move_site_kind_time"),
            models.Index(fields=["reference"], name="move_reference"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item.code} {self.quantity}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableRecord("Stock moves are never edited; post a correcting move.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord("Stock moves are never deleted; post a correcting move.")


class StockPolicy(models.Model):
    """Planning figures of an item at a site: ABC class, reorder point and safety stock. Each site
    classifies and replenishes its items itself; the item's own class is the default for a site
    that has not classified it."""

    site = models.ForeignKey("core.Site", models.CASCADE, related_name="+", verbose_name=_("site"))
    item = models.ForeignKey("core.Item", models.CASCADE, related_name="stock_policies", verbose_name=_("item"))
    reorder_point = models.DecimalField(_("reorder point"), default=0, **QUANTITY)
    safety_stock = models.DecimalField(_("safety stock"), default=0, **QUANTITY)
    abc_class = models.CharField(
        _("ABC class"),
        max_length=1,
        blank=True,
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
        help_text=_("Blank: the item's default class."),
    )

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["site__code", "item__code"]
        verbose_name = _("stock policy")
        verbose_name_plural = _("stock policies")
        constraints = [
            models.UniqueConstraint(fields=["site", "item"], name="stock_policy_unique"),
            models.CheckConstraint(
                condition=models.Q(reorder_point__gte=0, safety_stock__gte=0), name="stock_policy_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.site.code} {self.item.code}"
