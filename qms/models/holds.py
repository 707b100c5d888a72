from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import SiteScopedQuerySet


class HoldStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RELEASED = "released", _("Released")


class HoldReason(models.TextChoices):
    SPC_VIOLATION = "spc_violation", _("SPC rule violation")
    INSPECTION = "inspection", _("Failed inspection")
    NONCONFORMANCE = "nonconformance", _("Nonconformance")
    CUSTOMER_COMPLAINT = "customer_complaint", _("Customer complaint")
    SUPPLIER = "supplier", _("Supplier issue")
    CALIBRATION = "calibration", _("Gauge or equipment calibration")
    OTHER = "other", _("Other")


class HoldTarget(models.TextChoices):
    LOT = "lot", _("Lot")
    EQUIPMENT = "equipment", _("Equipment")
    WORK_ORDER = "work_order", _("Work order")


TARGET_FIELDS = ("lot", "equipment", "work_order")


class QualityHold(models.Model):
    """Quality sets a lot, a piece of equipment or a work order aside, saying why: a held lot is
    not picked, consumed or shipped, held equipment and work orders do not run. Released only by
    quality, with an electronic signature. One active hold per target."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    lot = models.ForeignKey(
        "wms.Lot", models.PROTECT, null=True, blank=True, related_name="quality_holds", verbose_name=_("lot")
    )
    equipment = models.ForeignKey(
        "mes.Equipment",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_holds",
        verbose_name=_("equipment"),
    )
    work_order = models.ForeignKey(
        "mes.WorkOrder",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="quality_holds",
        verbose_name=_("work order"),
    )
    reason_code = models.CharField(_("reason code"), max_length=20, choices=HoldReason.choices)
    reason = models.CharField(_("reason"), max_length=300)
    characteristic = models.ForeignKey(
        "qms.Characteristic",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="holds",
        verbose_name=_("characteristic"),
    )
    status = models.CharField(_("status"), max_length=10, choices=HoldStatus.choices, default=HoldStatus.ACTIVE)
    # The lot's or work order's status when the hold was placed: what the release gives back.
    previous_status = models.CharField(_("status before the hold"), max_length=20, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("placed by")
    )
    placed_at = models.DateTimeField(_("placed at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("released by")
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_note = models.CharField(_("release note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("quality hold")
        verbose_name_plural = _("quality holds")
        indexes = [models.Index(fields=["site", "status", "-placed_at"], name="qualityhold_open")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(lot__isnull=False, equipment__isnull=True, work_order__isnull=True)
                    | models.Q(lot__isnull=True, equipment__isnull=False, work_order__isnull=True)
                    | models.Q(lot__isnull=True, equipment__isnull=True, work_order__isnull=False)
                ),
                name="qualityhold_one_target",
            ),
            *(
                models.UniqueConstraint(
                    fields=[field],
                    condition=models.Q(status="active"),
                    name=f"qualityhold_one_active_per_{field}",
                )
                for field in TARGET_FIELDS
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def target_kind(self) -> str:
        if self.lot_id:
            return HoldTarget.LOT
        return HoldTarget.EQUIPMENT if self.equipment_id else HoldTarget.WORK_ORDER

    @property
    def target_kind_label(self) -> str:
        return HoldTarget(self.target_kind).label

    @property
    def previous_status_label(self) -> str:
        """The status before the hold as the lot or work order pages name it."""
        from mes.models import WorkOrderStatus
        from wms.models import LotStatus

        choices = LotStatus if self.lot_id else WorkOrderStatus
        return dict(choices.choices).get(self.previous_status, self.previous_status)

    @property
    def target(self):
        return getattr(self, self.target_kind)

    @property
    def target_label(self) -> str:
        if self.lot_id:
            return f"{self.lot.item.code} / {self.lot.code}"
        return self.equipment.code if self.equipment_id else self.work_order.number
