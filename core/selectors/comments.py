"""Reads of comments: those on one record, or every comment the user may see (the API list)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from core import records
from core.models import Comment
from core.scoping import user_site_ids


def comments_on(*, user, record) -> QuerySet[Comment]:
    """The comments on `record`, oldest first; the caller has found the record through
    `core.records.find_record` (so the user can see it)."""
    return Comment.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk
    ).select_related("author", "content_type")


def comment_list(*, user) -> QuerySet[Comment]:
    """Every comment on a record the user can see: of a model they may view, at one of their sites
    (or shared by all sites), on a row that model's selector lets through."""
    if not user or not user.is_authenticated:
        return Comment.objects.none()
    visible = Q(pk__in=[])
    for label in records.registered():
        rows = records.visible_records(user=user, label=label)
        if rows is None:
            continue
        app_label, model_name = label.split(".", 1)
        content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
        visible |= Q(content_type=content_type, object_id__in=rows.values("pk"))
    rows = Comment.objects.filter(visible)
    site_ids = user_site_ids(user)
    if site_ids is not None:
        rows = rows.filter(Q(site__isnull=True) | Q(site__in=site_ids))
    return rows.select_related("author", "content_type", "site")
