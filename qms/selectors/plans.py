"""Reads of characteristics and inspection plans, shared by the API and the pages."""

from django.db.models import QuerySet

from qms.models import Characteristic, InspectionPlan


def characteristic_list(*, user) -> QuerySet[Characteristic]:
    return Characteristic.objects.select_related("item", "unit")


def plan_list(*, user) -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.select_related("item").prefetch_related("characteristics")
