"""Reads of labour pools, item setup families and changeovers, scoped to the user's sites."""

from django.db.models import QuerySet

from mes.models import Changeover, ItemSetupFamily, LabourPool


def labour_pool_list(*, user) -> QuerySet[LabourPool]:
    return LabourPool.objects.for_user(user).select_related("site").order_by("site__code", "skill")


def setup_family_list(*, user) -> QuerySet[ItemSetupFamily]:
    return ItemSetupFamily.objects.for_user(user).select_related("site", "item").order_by("site__code", "item__code")


def changeover_list(*, user) -> QuerySet[Changeover]:
    return (
        Changeover.objects.for_user(user)
        .select_related("work_centre__site")
        .order_by("work_centre__code", "from_family", "to_family")
    )
