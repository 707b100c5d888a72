"""Records that carry comments and attachments, named by their model label ("wms.lot").

Each app declares its commentable models on its AppConfig (`records = {"wms.lot":
"wms.selectors.stock.lot_list"}`): the selector that scopes the model to a user, the same one its
pages and API use. A record is reachable here only when the user has the model's view permission
and the selector lets the row through, so a comment is seen only by those who see its record.
Core knows no app by name.
"""

from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.errors import NotFound


@cache
def registered() -> dict[str, str]:
    """Model label -> dotted path of its selector, over every installed app."""
    declared: dict[str, str] = {}
    for config in apps.get_app_configs():
        declared.update(getattr(config, "records", {}))
    return declared


def label_of(record) -> str:
    return record._meta.label_lower


def is_registered(record) -> bool:
    return label_of(record) in registered()


def visible_records(*, user, label: str):
    """The rows of model `label` that `user` may see, or None when the user may see none."""
    path = registered().get(label)
    if path is None:
        return None
    app_label, model_name = label.split(".", 1)
    if not user.has_perm(f"{app_label}.view_{model_name}"):
        return None
    return import_string(path)(user=user)


def find_record(*, user, label: str, pk):
    """The record `label`/`pk` as `user` sees it; "not found" for another site's record, a model
    that takes no comments or one the user may not view."""
    rows = visible_records(user=user, label=(label or "").lower())
    try:
        record = rows.filter(pk=int(pk)).first() if rows is not None else None
    except (TypeError, ValueError, OverflowError):
        record = None
    if record is None:
        raise NotFound(_("No such record."), field="record")
    return record


def site_of(record):
    """The site a record belongs to (by its model's `site_field` path), or None when shared."""
    path = getattr(type(record), "site_field", None)
    if not path:
        return None
    value = record
    for name in path.split("__"):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value
