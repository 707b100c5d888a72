from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import SiteScopedQuerySet


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ESCALATED = "escalated", _("Escalated")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which a request still waits for a decision.
OPEN_APPROVAL_STATUSES = (ApprovalStatus.PENDING, ApprovalStatus.ESCALATED)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("Urgent")


class ApprovalRequest(models.Model):
    """One decision someone must take on a record: a count variance, later a lot release, a
    BOM version, a purchase order. `kind` names its declaration in the approvals registry
    (core.approvals), which says who decides and which service carries the decision out.

    `fingerprint` is the record's state when the decision was asked for: a record that changed
    since is refused as stale. `level` is the step on the kind's ladder of roles that the
    request has been escalated to (0: the first role).
    """

    kind = models.CharField(_("kind"), max_length=60)
    content_type = models.ForeignKey(ContentType, models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    site = models.ForeignKey(
        "core.Site", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("site")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    history = HistoricalRecords()

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        indexes = [
            models.Index(fields=["status", "site"], name="approval_open_by_site"),
            models.Index(fields=["content_type", "object_id"], name="approval_by_record"),
        ]
        constraints = [
            # One open decision per record and kind: a second request for it is the same one.
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id"],
                condition=Q(status__in=["pending", "escalated"]),
                name="approval_one_open_per_record",
            )
        ]

    def __str__(self):
        return f"{self.kind} #{self.object_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPROVAL_STATUSES


class ApprovalDelegation(models.Model):
    """An approver away for a period hands their decisions of one role to a colleague of the
    same role: the delegate is notified in their place and decides on their behalf."""

    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="delegations_given", verbose_name=_("delegator")
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="delegations_taken", verbose_name=_("delegate")
    )
    role = models.CharField(_("role"), max_length=30)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("approval delegation")
        verbose_name_plural = _("approval delegations")
        indexes = [models.Index(fields=["delegate", "ends_at"], name="delegation_by_delegate")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="delegation_ends_after_start"),
            models.CheckConstraint(condition=~Q(delegate=models.F("delegator")), name="delegation_to_someone_else"),
        ]

    def __str__(self):
        return f"{self.delegator} → {self.delegate} ({self.role})"
