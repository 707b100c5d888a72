from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models.base import CODE_HELP, TimeStampedModel
from core.models.organisation import code_validator

MAX_PAYMENT_TERMS_DAYS = 365


class Partner(TimeStampedModel):
    # What a user enters of a partner, in the order the form, the API and the detail page show it.
    EDITABLE_FIELDS = (
        "code",
        "name",
        "is_customer",
        "is_supplier",
        "currency",
        "payment_terms_days",
        "tax_id",
        "email",
        "phone",
        "address",
        "active",
    )

    """A customer, a supplier, or both."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator], help_text=CODE_HELP)
    name = models.CharField(_("name"), max_length=200)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    currency = models.ForeignKey("core.Currency", models.PROTECT, verbose_name=_("currency"))
    payment_terms_days = models.PositiveIntegerField(
        _("payment terms (days)"), default=30, validators=[MaxValueValidator(MAX_PAYMENT_TERMS_DAYS)]
    )
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_customer=True) | models.Q(is_supplier=True), name="partner_has_a_role"
            ),
            models.CheckConstraint(
                condition=models.Q(payment_terms_days__lte=MAX_PAYMENT_TERMS_DAYS),
                name="partner_payment_terms_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} · {self.name}"
