from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    CHECKED = "checked", _("Checked")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A spreadsheet of master data or opening stock being checked (a dry run that writes
    nothing) and then imported whole, in one transaction. The file is kept with the job so the
    import reads exactly what the dry run checked."""

    kind = models.CharField(_("kind"), max_length=30)
    site = models.ForeignKey("core.Site", models.CASCADE, related_name="+", verbose_name=_("site"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("user"))
    file_name = models.CharField(_("file"), max_length=200)
    content = models.BinaryField()
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)  # [{"row", "column", "message"}]
    created_count = models.PositiveIntegerField(_("records written"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.kind} · {self.file_name}"
