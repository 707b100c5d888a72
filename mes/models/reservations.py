"""The stock a released work order holds in WMS: one staging pick list per line-side bin its
materials go to. The pick lists' open lines are the allocations the ledger honours."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkOrderReservation(models.Model):
    work_order = models.ForeignKey(
        "mes.WorkOrder", models.CASCADE, related_name="reservations", verbose_name=_("work order")
    )
    pick_list = models.OneToOneField(
        "wms.PickList", models.PROTECT, related_name="work_order_reservation", verbose_name=_("staging pick list")
    )

    class Meta:
        ordering = ["work_order", "pick_list"]
        verbose_name = _("work order reservation")
        verbose_name_plural = _("work order reservations")

    def __str__(self):
        return f"{self.work_order_id} → {self.pick_list_id}"
