"""Reads of the OPC UA setup, scoped to the user's sites (pages and API alike)."""

from django.db.models import Count, QuerySet

from mes.models import OpcUaEndpoint, OpcUaNode


def endpoint_list(*, user) -> QuerySet[OpcUaEndpoint]:
    return (
        OpcUaEndpoint.objects.for_user(user)
        .select_related("site")
        .annotate(node_count=Count("nodes"))
        .order_by("site__code", "code")
    )


def node_list(*, user) -> QuerySet[OpcUaNode]:
    return OpcUaNode.objects.for_user(user).select_related("endpoint__site", "equipment")
