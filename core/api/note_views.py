"""`/api/v1/core/comments/`: comments and attached files on records, and
`/api/v1/core/saved-filters/`: the caller's saved list filters.

A comment is read, written and downloaded only on a record the caller can see (`core.records`):
the permission is the record's, not a permission on comments. Writes go through the same services
as the pages."""

import django_filters
from django.http import FileResponse, Http404
from django.urls import reverse
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.errors import ValidationFailed
from core.models import Comment, SavedFilter
from core.selectors.comments import comment_list
from core.selectors.saved_filters import saved_filters
from core.services import comments as comment_services
from core.services import saved_filters as filter_services


class CommentSerializer(serializers.ModelSerializer):
    record = serializers.CharField(
        max_length=120, help_text="The record as `app.model:id`, e.g. `wms.lot:12`, `mes.workorder:3`."
    )
    author = serializers.CharField(source="author.username", read_only=True)
    body = serializers.CharField(max_length=comment_services.MAX_BODY, required=False, allow_blank=True, default="")
    file = serializers.FileField(write_only=True, required=False, allow_null=True, allow_empty_file=True)
    file_url = serializers.SerializerMethodField()
    key = serializers.UUIDField(
        required=False, allow_null=True, write_only=True, help_text="Makes a retry safe: one comment per key."
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "record",
            "author",
            "body",
            "file",
            "file_name",
            "file_size",
            "file_type",
            "file_url",
            "key",
            "created_at",
        ]
        read_only_fields = ["file_name", "file_size", "file_type", "created_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["record"] = f"{instance.content_type.app_label}.{instance.content_type.model}:{instance.object_id}"
        return data

    def get_file_url(self, obj) -> str | None:
        return reverse("core-api:comment-file", args=[obj.pk]) if obj.file else None

    def validate_record(self, value):
        label, _sep, pk = value.partition(":")
        if not label or not pk.isdigit() or not value.isprintable():
            raise serializers.ValidationError("Write the record as app.model:id, e.g. wms.lot:12.")
        return label.lower(), int(pk)


class CommentFilter(django_filters.FilterSet):
    record = django_filters.CharFilter(method="filter_record", help_text="`app.model:id`")

    class Meta:
        model = Comment
        fields = ["record"]

    def filter_record(self, queryset, name, value):
        label, _sep, pk = value.partition(":")
        if not pk.isdigit() or "." not in label:
            raise ValidationFailed("Write the record as app.model:id, e.g. wms.lot:12.", field="record")
        app_label, model = label.lower().split(".", 1)
        return queryset.filter(content_type__app_label=app_label, content_type__model=model, object_id=int(pk))


class CommentViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """Comments on the records the caller can see; POST (JSON or multipart, with `file`) adds one,
    DELETE removes the caller's own."""

    queryset = Comment.objects.none()
    serializer_class = CommentSerializer
    permission_classes = [IsAuthenticated]
    filterset_class = CommentFilter
    search_fields = ["body", "file_name"]
    ordering_fields = ["created_at", "id"]
    ordering = ["created_at", "id"]

    def get_queryset(self):
        return comment_list(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        label, pk = data["record"]
        comment = comment_services.add_comment(
            user=request.user,
            label=label,
            pk=pk,
            body=data.get("body", ""),
            upload=data.get("file"),
            key=str(data["key"]) if data.get("key") else None,
        )
        return Response(self.get_serializer(comment).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        comment_services.delete_comment(user=self.request.user, comment=instance)

    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        """The attached file, as a download."""
        comment = self.get_object()
        if not comment.file:
            raise Http404
        response = FileResponse(comment.file.open("rb"), as_attachment=True, filename=comment.file_name)
        response["Content-Type"] = comment.file_type or "application/octet-stream"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class SavedFilterSerializer(serializers.ModelSerializer):
    path = serializers.CharField(max_length=200, help_text="The list's path, e.g. /wms/lots/.")
    query = serializers.CharField(max_length=2000, help_text="The list's query string, e.g. status=quarantine.")

    class Meta:
        model = SavedFilter
        fields = ["id", "path", "name", "query", "created_at"]
        read_only_fields = ["created_at"]


class SavedFilterViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's own saved filters (`?path=` for one list's). POST with an existing name
    replaces that filter's query."""

    queryset = SavedFilter.objects.none()
    serializer_class = SavedFilterSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["path"]
    ordering = ["path", "name"]

    def get_queryset(self):
        return saved_filters(user=self.request.user)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = filter_services.save_filter(user=request.user, **serializer.validated_data)
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        filter_services.delete_filter(user=self.request.user, pk=instance.pk)
