"""Work orders and their operations. A work order holds a snapshot of the BOM and routing it was
made from (its materials and operations are copied at creation), so a later version never
changes an order in progress."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet
from mes.models.definitions import QUANTITY


class WorkOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RELEASED = "released", _("Released")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


class WorkOrder(TimeStampedModel):
    """`priority` 1 is the most urgent."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="work_orders", verbose_name=_("site"))
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="work_orders", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.ForeignKey("core.Unit", models.PROTECT, related_name="+", verbose_name=_("unit"))
    due = models.DateTimeField(_("due"))
    priority = models.PositiveSmallIntegerField(_("priority"), default=5)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.DRAFT
    )
    bom = models.ForeignKey("mes.BOM", models.PROTECT, related_name="work_orders", verbose_name=_("BOM version"))
    routing = models.ForeignKey(
        "mes.Routing", models.PROTECT, related_name="work_orders", verbose_name=_("routing version")
    )
    good = models.DecimalField(_("good"), default=0, **QUANTITY)
    scrap = models.DecimalField(_("scrap"), default=0, **QUANTITY)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Set by quality (mes.services.work_orders.set_work_order_quality_hold): while it says why,
    # the order stays on hold and nobody resumes it.
    quality_hold_reason = models.CharField(_("quality hold"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["site", "status", "priority", "due"], name="wo_dispatch"),
            models.Index(fields=["item", "status"], name="wo_item_status"),
            # The lists' order (newest first): a page is read from the index, not a sort of all.
            models.Index(fields=["-created_at", "-id"], name="wo_newest"),
            # The lists filtered by status read a page in that order from the index too; a due
            # date range finds its orders (and counts them) without reading the table.
            models.Index(fields=["status", "-created_at", "-id"], name="wo_status_newest"),
            models.Index(fields=["due"], name="wo_due"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="wo_quantity_positive")]

    def __str__(self):
        return self.number


class WorkOrderMaterial(models.Model):
    """A component the order needs, from its BOM snapshot (phantoms exploded), with the
    operation that consumes it. `required` includes the scrap factor, in the component's base unit."""

    work_order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="materials", verbose_name=_("work order"))
    line_no = models.PositiveIntegerField(_("line"))
    component = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("component"))
    quantity_per_unit = models.DecimalField(_("quantity per unit"), **QUANTITY)
    scrap_factor = models.DecimalField(_("scrap factor (%)"), max_digits=7, decimal_places=3, default=0)
    required = models.DecimalField(_("required"), **QUANTITY)
    issued = models.DecimalField(_("issued"), default=0, **QUANTITY)
    operation_sequence = models.PositiveIntegerField(_("consumed at operation"))

    class Meta:
        ordering = ["work_order", "line_no"]
        verbose_name = _("work order material")
        verbose_name_plural = _("work order materials")
        constraints = [models.UniqueConstraint(fields=["work_order", "line_no"], name="wo_material_unique")]

    def __str__(self):
        return f"{self.work_order.number} {self.component.code} {self.required}"


class OperationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    READY = "ready", _("Ready")
    SETUP = "setup", _("Setup")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")


class Operation(TimeStampedModel):
    """One step of a work order, copied from its routing. Times: `run_seconds()` is the time
    between start and finish less the paused intervals, exact across pauses and reloads."""

    work_order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="operations", verbose_name=_("work order"))
    sequence = models.PositiveIntegerField(_("sequence"))
    name = models.CharField(_("name"), max_length=200)
    work_centre = models.ForeignKey(
        "mes.WorkCentre", models.PROTECT, related_name="operations", verbose_name=_("work centre")
    )
    eligible_equipment = models.ManyToManyField(
        "mes.Equipment", blank=True, related_name="+", verbose_name=_("eligible equipment")
    )
    equipment = models.ForeignKey(
        "mes.Equipment", models.PROTECT, null=True, blank=True, related_name="operations", verbose_name=_("equipment")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OperationStatus.choices, default=OperationStatus.PENDING
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    good = models.DecimalField(_("good"), default=0, **QUANTITY)
    scrap = models.DecimalField(_("scrap"), default=0, **QUANTITY)
    setup_minutes = models.DecimalField(_("setup (min)"), max_digits=10, decimal_places=2, default=0)
    run_seconds_per_unit = models.DecimalField(_("run time per unit (s)"), max_digits=12, decimal_places=3, default=0)
    labour = models.PositiveSmallIntegerField(_("operators"), default=1)
    skill = models.CharField(_("skill"), max_length=100, blank=True)
    instructions = models.TextField(_("work instructions"), blank=True)
    setup_started_at = models.DateTimeField(_("setup started"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.DecimalField(_("paused (s)"), max_digits=14, decimal_places=3, default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("started by")
    )
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("finished by")
    )
    # The released schedule's plan (written by the scheduler's release; empty without one):
    # the dispatch lists follow planned_start.
    planned_equipment = models.ForeignKey(
        "mes.Equipment", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("planned equipment")
    )
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["planned_equipment", "planned_start", "planned_end"])

    objects = SiteScopedQuerySet.as_manager()
    site_field = "work_order__site"

    class Meta:
        ordering = ["work_order", "sequence"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [models.UniqueConstraint(fields=["work_order", "sequence"], name="operation_unique")]
        indexes = [models.Index(fields=["work_centre", "status"], name="operation_dispatch")]

    def __str__(self):
        return f"{self.work_order.number}/{self.sequence}"

    @property
    def open_quantity(self):
        return max(self.quantity - self.good - self.scrap, 0)

    def run_seconds(self, now=None) -> float:
        """Seconds spent running so far: start to finish (or now), less every pause."""
        from django.utils import timezone

        if self.started_at is None:
            return 0.0
        end = self.finished_at or now or timezone.now()
        paused = float(self.paused_seconds)
        if self.paused_since is not None and self.finished_at is None:
            paused += max((end - self.paused_since).total_seconds(), 0.0)
        return max((end - self.started_at).total_seconds() - paused, 0.0)


class OperationPause(models.Model):
    """One pause of an operation, with why."""

    operation = models.ForeignKey(Operation, models.CASCADE, related_name="pauses", verbose_name=_("operation"))
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.ForeignKey(
        "mes.DowntimeReason", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reason")
    )
    note = models.CharField(_("why"), max_length=300, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("user"))

    class Meta:
        ordering = ["operation", "started_at"]
        verbose_name = _("pause")
        verbose_name_plural = _("pauses")

    def __str__(self):
        return f"{self.operation} {self.started_at:%H:%M}"
