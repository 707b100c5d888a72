"""What people add to lists and records besides the records themselves: saved list filters
(per user) and comments with an optional attached file (on any record that registers a selector,
see `core.records`)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import SiteScopedQuerySet


class SavedFilter(models.Model):
    """A list's query string under a name the user chose, offered again on that list's filter bar."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="saved_filters")
    path = models.CharField(_("list"), max_length=200)
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [models.UniqueConstraint(fields=["user", "path", "name"], name="saved_filter_unique_name")]

    def __str__(self):
        return self.name


def attachment_path(comment, filename: str) -> str:
    # The stored name is the comment's own, never the uploader's (no path tricks, no clashes);
    # the original name is kept in `file_name` for the download.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{comment.content_type.app_label}/{comment.content_type.model}/{comment.key}.{extension}"


class Comment(models.Model):
    """A remark on a record, with an optional file. Seen by whoever can see the record."""

    content_type = models.ForeignKey(ContentType, models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    # The record's site, copied when the comment is written, so lists of comments scope like any
    # site-bound record; None for records shared by all sites (items).
    site = models.ForeignKey("core.Site", models.CASCADE, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    body = models.TextField(_("comment"), max_length=5000, blank=True)
    key = models.CharField(max_length=32, unique=True, editable=False)
    file = models.FileField(_("attachment"), upload_to=attachment_path, blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    file_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    file_type = models.CharField(_("file type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"], name="comment_record_time")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(body="") | ~models.Q(file=""), name="comment_not_empty"),
        ]

    def __str__(self):
        return f"{self.author} · {self.created_at:%Y-%m-%d %H:%M}"
