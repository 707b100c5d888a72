"""Work instructions of a routing operation: text, pictures and PDF documents the operator reads
on the terminal. Work orders keep pointing at their routing version, so an order in progress
shows the instructions of the version it was made from."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import TimeStampedModel

IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "gif", "webp")
DOCUMENT_EXTENSIONS = ("pdf",)


class WorkInstruction(TimeStampedModel):
    """One page of instructions for a routing operation, shown in `position` order. `attachment`
    is a picture (shown inline) or a PDF (opened full screen), kept in Django's storage."""

    routing_operation = models.ForeignKey(
        "mes.RoutingOperation", models.CASCADE, related_name="work_instructions", verbose_name=_("routing operation")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), blank=True)
    attachment = models.FileField(
        _("picture or PDF"),
        upload_to="work-instructions/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator([*IMAGE_EXTENSIONS, *DOCUMENT_EXTENSIONS])],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        ordering = ["routing_operation", "position", "id"]
        verbose_name = _("work instruction")
        verbose_name_plural = _("work instructions")

    def __str__(self):
        return self.title

    @property
    def is_image(self) -> bool:
        return bool(self.attachment) and self.attachment.name.rsplit(".", 1)[-1].lower() in IMAGE_EXTENSIONS

    @property
    def is_pdf(self) -> bool:
        return bool(self.attachment) and self.attachment.name.rsplit(".", 1)[-1].lower() in DOCUMENT_EXTENSIONS
