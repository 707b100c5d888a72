"""Base viewsets: reads through a selector (already scoped to the user's sites), writes through
services. A subclass names `selector`, and `create_service` / `update_service` / `delete_service`
for the writes it allows."""

from contextlib import contextmanager
from functools import partial

from django.db import connections, transaction
from rest_framework import mixins, viewsets


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    selector = None  # callable(*, user) -> QuerySet

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


class ServiceModelViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet
):
    create_service = None  # callable(*, user, data) -> instance
    update_service = None  # callable(*, instance, user, data) -> instance
    delete_service = None  # callable(*, instance, user) -> None

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            instance=serializer.instance, user=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        type(self).delete_service(instance=instance, user=self.request.user)


class LookupJoinsInOrder:
    """For a list whose wide join only looks up the codes it shows (a ledger line's item, lot,
    bins, unit, user, site), PostgreSQL is told to join in the order the query names the tables:
    the filters' joins first, then the lookups by primary key. Searching every join order of nine
    tables takes the planner 30-90 ms; running the query takes 1-2 ms. The setting holds for this
    request's transaction only (SET LOCAL)."""

    def list(self, request, *args, **kwargs):
        with _joins_in_written_order(self.queryset.db):
            return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        with _joins_in_written_order(self.queryset.db):
            return super().retrieve(request, *args, **kwargs)


@contextmanager
def _joins_in_written_order(using):
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        yield


def service_viewset(
    model, serializer, selector, services, *, filterset=None, search=("code", "name"), ordering=("code",)
):
    """A `ServiceModelViewSet` for one model whose rows come from `selector` and whose writes go
    through `services.create_record(model=...)`, `update_record` and `delete_record`."""
    attrs = {
        "__doc__": model.__doc__,
        "queryset": model.objects.none(),  # for permissions and the schema; rows come from `selector`
        "serializer_class": serializer,
        "selector": staticmethod(selector),
        "create_service": staticmethod(partial(services.create_record, model=model)),
        "update_service": staticmethod(services.update_record),
        "delete_service": staticmethod(services.delete_record),
        "search_fields": list(search),
        "ordering_fields": list(ordering),
        "ordering": list(ordering),
    }
    if filterset is not None:
        attrs["filterset_class"] = filterset
    else:
        attrs["filterset_fields"] = ["code"] if "code" in search else []
    return type(f"{model.__name__}ViewSet", (ServiceModelViewSet,), attrs)
