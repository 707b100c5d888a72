"""Production records: what was made and used, by whom, where and when. Nothing is summarised
away: every consumed lot and every produced lot keeps its line and its ledger move, for genealogy."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet
from mes.models.definitions import QUANTITY


class ProductionReport(models.Model):
    operation = models.ForeignKey("mes.Operation", models.PROTECT, related_name="reports", verbose_name=_("operation"))
    work_order = models.ForeignKey(
        "mes.WorkOrder", models.PROTECT, related_name="reports", verbose_name=_("work order")
    )
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    equipment = models.ForeignKey(
        "mes.Equipment", models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("equipment")
    )
    good = models.DecimalField(_("good"), default=0, **QUANTITY)
    scrap = models.DecimalField(_("scrap"), default=0, **QUANTITY)
    scrap_reason = models.ForeignKey(
        "mes.ScrapReason", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("scrap reason")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reported by"))
    reported_at = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    override = models.BooleanField(_("over-quantity override"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("production report")
        verbose_name_plural = _("production reports")
        indexes = [models.Index(fields=["equipment", "reported_at"], name="report_equipment_time")]
        constraints = [
            models.CheckConstraint(condition=models.Q(good__gte=0, scrap__gte=0), name="report_not_negative")
        ]

    def __str__(self):
        return f"{self.work_order.number}/{self.operation.sequence} +{self.good}/{self.scrap}"


class ReportLine(models.Model):
    """What a line of a report moved: the item, lot and bin, the quantity and the ledger's move."""

    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    lot = models.ForeignKey("wms.Lot", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    bin = models.ForeignKey("wms.Bin", models.PROTECT, related_name="+", verbose_name=_("bin"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    move = models.OneToOneField("wms.StockMove", models.PROTECT, related_name="+", verbose_name=_("move"))

    class Meta:
        abstract = True
        ordering = ["report", "id"]

    def __str__(self):
        return f"{self.item.code} {self.quantity}"


class ReportConsumption(ReportLine):
    """A lot (or untracked stock) consumed by a report, with its issue move."""

    report = models.ForeignKey(ProductionReport, models.CASCADE, related_name="consumed", verbose_name=_("report"))

    class Meta(ReportLine.Meta):
        verbose_name = _("consumed material")
        verbose_name_plural = _("consumed materials")


class ReportOutput(ReportLine):
    """A lot (or serial number) made by a report, with its production-receipt move."""

    report = models.ForeignKey(ProductionReport, models.CASCADE, related_name="outputs", verbose_name=_("report"))

    class Meta(ReportLine.Meta):
        verbose_name = _("produced output")
        verbose_name_plural = _("produced output")
