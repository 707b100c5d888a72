"""Reason trees the operator picks from: downtime (planned/unplanned → category → reason) and
scrap (category → reason)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator


class ReasonTree(TimeStampedModel):
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} · {self.name}"

    @property
    def is_leaf(self) -> bool:
        return not self.children.exists()


class DowntimeReason(ReasonTree):
    planned = models.BooleanField(_("planned"), default=False)

    class Meta(ReasonTree.Meta):
        verbose_name = _("downtime reason")
        verbose_name_plural = _("downtime reasons")


class ScrapReason(ReasonTree):
    class Meta(ReasonTree.Meta):
        verbose_name = _("scrap reason")
        verbose_name_plural = _("scrap reasons")
