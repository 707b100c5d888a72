from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignatureMeaning(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REVIEWED = "reviewed", _("Reviewed")
    RELEASED = "released", _("Released")
    REJECTED = "rejected", _("Rejected")
    AUTHORED = "authored", _("Authored")


class Signature(models.Model):
    """An electronic signature (21 CFR Part 11 style): who, when, what it means, on which record.

    The signer re-entered the password at `signed_at`; the record's history entry written in the
    same transaction is linked by `history_id` so the audit trail shows the signature beside it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="signatures")
    full_name = models.CharField(_("signed as"), max_length=300)
    meaning = models.CharField(_("meaning"), max_length=20, choices=SignatureMeaning.choices)
    reason = models.TextField(_("comment"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)
    content_type = models.ForeignKey(ContentType, models.PROTECT)
    object_id = models.CharField(max_length=64)
    record = GenericForeignKey("content_type", "object_id")
    history_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.full_name}: {self.get_meaning_display()} ({self.signed_at:%Y-%m-%d %H:%M})"
