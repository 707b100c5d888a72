from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import TimeStampedModel
from core.scoping import SiteScopedQuerySet
from qms.models.characteristics import Stage

QUANTITY = {"max_digits": 18, "decimal_places": 6}


class InspectionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    PARTIAL = "partial", _("Partially accepted")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_INSPECTION_STATUSES = (InspectionStatus.OPEN, InspectionStatus.IN_PROGRESS)


class InspectionTask(TimeStampedModel):
    """One inspection to carry out under a plan: an inspection lot (incoming goods or final
    production output, `lot`) or an in-process check of a running operation (`operation`,
    `work_order`, `equipment`). The sample and its accept/reject numbers are fixed when the task
    is opened, from the plan and the lot size; the decision is signed by the inspector."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    site = models.ForeignKey("core.Site", models.PROTECT, related_name="+", verbose_name=_("site"))
    plan = models.ForeignKey(
        "qms.InspectionPlan", models.PROTECT, related_name="tasks", verbose_name=_("inspection plan")
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    item = models.ForeignKey("core.Item", models.PROTECT, related_name="+", verbose_name=_("item"))
    lot = models.ForeignKey(
        "wms.Lot", models.PROTECT, null=True, blank=True, related_name="inspection_tasks", verbose_name=_("lot")
    )
    operation = models.ForeignKey(
        "mes.Operation", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("operation")
    )
    work_order = models.ForeignKey(
        "mes.WorkOrder", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("work order")
    )
    equipment = models.ForeignKey(
        "mes.Equipment", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("equipment")
    )
    # What opened an in-process task ("units:3": the third multiple of N good units, "time:2":
    # the second period of T minutes since the operation started); one task per trigger.
    trigger = models.CharField(_("trigger"), max_length=40, blank=True)
    lot_quantity = models.DecimalField(_("lot quantity"), null=True, blank=True, **QUANTITY)
    sample_size = models.PositiveIntegerField(_("sample size"))
    accept_number = models.PositiveIntegerField(_("accept number"), default=0)
    reject_number = models.PositiveIntegerField(_("reject number"), default=1)
    code_letter = models.CharField(_("code letter"), max_length=1, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.OPEN
    )
    accepted_quantity = models.DecimalField(_("accepted quantity"), null=True, blank=True, **QUANTITY)
    rejected_quantity = models.DecimalField(_("rejected quantity"), null=True, blank=True, **QUANTITY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        verbose_name = _("inspection task")
        verbose_name_plural = _("inspection tasks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "status"], name="inspection_site_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "plan"], condition=models.Q(lot__isnull=False), name="inspection_one_per_lot_plan"
            ),
            models.UniqueConstraint(
                fields=["operation", "plan", "trigger"],
                condition=models.Q(operation__isnull=False),
                name="inspection_one_per_trigger",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INSPECTION_STATUSES
