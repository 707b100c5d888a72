"""Writes of master data (companies, sites, currencies, rates, units, items, partners).

The API viewsets and the web forms call these, so validation, history and events are the same
whichever way a record is changed.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from core.errors import RecordInUse
from core.events import publish


def _event_name(instance, action: str) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}.{action}"


def _payload(instance) -> dict:
    payload = {"id": instance.pk}
    if hasattr(instance, "code"):
        payload["code"] = instance.code
    return payload


def _site_of(instance):
    from core.models import Site

    if isinstance(instance, Site):
        return instance
    return getattr(instance, "site", None)


@transaction.atomic
def create_record(*, model, user, data: dict):
    """Validate and save a new record; history remembers `user`, an event tells the others."""
    instance = model(**{k: v for k, v in data.items() if not _is_many(model, k)})
    instance._history_user = user
    instance.full_clean()
    instance.save()
    _set_many(instance, data)
    publish(_event_name(instance, "created"), _payload(instance), site=_site_of(instance), live=False)
    return instance


@transaction.atomic
def update_record(*, instance, user, data: dict):
    """Apply `data`, validate the whole record, save it with its history entry."""
    model = type(instance)
    instance = model.objects.select_for_update().get(pk=instance.pk)
    for field, value in data.items():
        if not _is_many(model, field):
            setattr(instance, field, value)
    instance._history_user = user
    instance.full_clean()
    instance.save()
    _set_many(instance, data)
    publish(_event_name(instance, "updated"), _payload(instance), site=_site_of(instance), live=False)
    return instance


@transaction.atomic
def delete_record(*, instance, user) -> None:
    """Delete a record nothing refers to; one still in use raises RecordInUse (409) and stays."""
    payload = _payload(instance)
    name = _event_name(instance, "deleted")
    site = _site_of(instance)
    label = str(instance)
    instance._history_user = user
    try:
        instance.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise RecordInUse(_("%(name)s is in use and cannot be deleted.") % {"name": label}) from exc
    publish(name, payload, site=site if site and site.pk else None, live=False)


def _is_many(model, field: str) -> bool:
    try:
        return model._meta.get_field(field).many_to_many
    except FieldDoesNotExist:
        return False


def _set_many(instance, data: dict) -> None:
    for field, value in data.items():
        if _is_many(type(instance), field):
            getattr(instance, field).set(value)
