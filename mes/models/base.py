"""What production's coded site records share (areas, shift calendars, ...)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator
from core.scoping import SiteScopedQuerySet


class SiteCodedRecord(TimeStampedModel):
    """A record of one site (its `site` field is the subclass's own) with a unique code and a name,
    listed by site and code."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)

    objects = SiteScopedQuerySet.as_manager()
    site_field = "site"

    class Meta:
        abstract = True
        ordering = ["site__code", "code"]

    def __str__(self):
        return f"{self.code} · {self.name}"
