"""Base viewsets: reads through a selector (already scoped to the user's sites), writes through
services. A subclass names `selector`, and `create_service` / `update_service` / `delete_service`
for the writes it allows."""

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
