"""Comments and attached files on records.

A comment is written only on a record the author can see (`core.records.find_record`) and takes
that record's site, so it is read only by those who can see the record. Files go to Django's
default storage under a name of the system's choosing, within a size limit and a list of types
whose first bytes must match what the name says they are.
"""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from core import records
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.models import Comment

MAX_BODY = 5000
MAX_FILE_NAME = 200
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

# extension -> (content type, accepted first bytes or None for text)
FILE_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "txt": ("text/plain", None),
    "csv": ("text/csv", None),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}


def max_upload_bytes() -> int:
    return int(getattr(settings, "COMMENT_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def _check_file(upload) -> tuple[str, str]:
    """The upload's clean original name and content type, or a refusal naming the `file` field."""
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())[:MAX_FILE_NAME] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in FILE_TYPES:
        raise ValidationFailed(
            _("Files of this type cannot be attached. Allowed: %(types)s.") % {"types": ", ".join(sorted(FILE_TYPES))},
            field="file",
        )
    if upload.size > max_upload_bytes():
        raise ValidationFailed(
            _("The file is larger than %(limit)s.") % {"limit": filesizeformat(max_upload_bytes())}, field="file"
        )
    if upload.size == 0:
        raise ValidationFailed(_("The file is empty."), field="file")
    content_type, signatures = FILE_TYPES[extension]
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if signatures is None:
        if b"\x00" in head or not _is_utf8(head, whole=upload.size <= len(head)):
            raise ValidationFailed(_("A text file must be UTF-8 text."), field="file")
    elif not head.startswith(signatures):
        raise ValidationFailed(
            _("The file's content is not what its name says (.%(ext)s).") % {"ext": extension}, field="file"
        )
    return name, content_type


def _is_utf8(head: bytes, *, whole: bool) -> bool:
    """True when `head` is UTF-8; when it is only the start of the file, the cut may fall inside
    a character, so up to three bytes at its end may be the start of one."""
    for cut in range(1 if whole else 4):
        try:
            head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return True
    return False


def add_comment(*, user, label: str, pk, body: str = "", upload=None, key: str | None = None) -> Comment:
    """Comment on the record `label`/`pk` (with an optional file). `key` makes the call safe to
    repeat: the same key from the same author on the same record answers the first comment, so a
    form sent twice or a retried request adds one comment."""
    record = records.find_record(user=user, label=label, pk=pk)
    body = (body or "").replace("\x00", "").strip()
    if len(body) > MAX_BODY:
        raise ValidationFailed(_("A comment has at most %(n)d characters.") % {"n": MAX_BODY}, field="body")
    if not body and upload is None:
        raise ValidationFailed(_("Write a comment or attach a file."), field="body")
    if key is not None:
        key = str(key).strip()
        try:
            key = uuid.UUID(key).hex
        except ValueError:
            raise ValidationFailed(_("The key must be a UUID."), field="key") from None
        first = _repeat_of(user=user, record=record, key=key)
        if first is not None:
            return first
    comment = Comment(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        site=records.site_of(record),
        author=user,
        body=body,
        key=key or uuid.uuid4().hex,
    )
    if upload is not None:
        comment.file_name, comment.file_type = _check_file(upload)
        comment.file_size = upload.size
    try:
        with transaction.atomic():
            if upload is not None:
                comment.file.save(comment.file_name, upload, save=False)
            comment.save()
    except IntegrityError:
        if comment.file:
            comment.file.storage.delete(comment.file.name)
        first = _repeat_of(user=user, record=record, key=comment.key)
        if first is None:
            raise ValidationFailed(_("This key belongs to another comment."), field="key") from None
        return first
    return comment


def _repeat_of(*, user, record, key: str) -> Comment | None:
    first = Comment.objects.filter(key=key).first()
    if first is None:
        return None
    same = (
        first.author_id == user.pk
        and first.object_id == record.pk
        and first.content_type_id == ContentType.objects.get_for_model(record).pk
    )
    if not same:
        raise ValidationFailed(_("This key belongs to another comment."), field="key")
    return first


def delete_comment(*, user, comment: Comment) -> None:
    """Its author (or an administrator) deletes a comment and its file."""
    if comment.author_id != user.pk and not (user.is_superuser or user.has_role("admin")):
        raise PermissionDenied(_("Only its author can delete a comment."))
    deleted, _count = Comment.objects.filter(pk=comment.pk).delete()
    if not deleted:
        raise NotFound(_("No such comment."))
    if comment.file:
        name, storage = comment.file.name, comment.file.storage
        transaction.on_commit(lambda: storage.delete(name))
