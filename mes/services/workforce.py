"""Writes of the scheduler's plant data: labour pools, item setup families and changeovers.

The desk pages and the API call these. Each record is validated whole (`full_clean`: the
skill and family names, non-negative minutes, one row per pair); two writes of the same key at
the same moment meet the unique constraint and the second gets a 400 naming the field.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ValidationFailed
from core.scoping import require_site_access
from mes.models import Changeover, ItemSetupFamily, LabourPool

FIELDS = {
    LabourPool: ("site", "skill", "capacity"),
    ItemSetupFamily: ("site", "item", "family"),
    Changeover: ("work_centre", "from_family", "to_family", "minutes"),
}
DUPLICATE = {
    LabourPool: ("skill", gettext_lazy("This site already has a labour pool of this skill.")),
    ItemSetupFamily: ("item", gettext_lazy("This item already has a setup family at this site.")),
    Changeover: ("to_family", gettext_lazy("This work centre already has a changeover between these families.")),
}


def _site_id(record) -> int | None:
    if isinstance(record, Changeover):
        return record.work_centre.site_id if record.work_centre_id else None
    return record.site_id


def _save(record, *, user, data: dict):
    model = type(record)
    for name, value in data.items():
        if name not in FIELDS[model]:
            raise ValidationFailed(_("Unknown field."), field=name)
        if isinstance(value, str):
            value = value.strip()
            if name in ("family", "from_family", "to_family"):
                value = value.upper()  # family codes match whatever case they were typed in
        setattr(record, name, value)
    site_id = _site_id(record)
    if site_id is None:
        raise ValidationFailed(_("Name the site."), field=FIELDS[model][0])
    require_site_access(user, site_id)
    if isinstance(record, LabourPool) and not record.skill:
        raise ValidationFailed(_("Name the skill."), field="skill")
    if isinstance(record, ItemSetupFamily) and record.item_id is None:
        raise ValidationFailed(_("Name the item."), field="item")
    try:
        record.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise ValidationFailed(messages[0], field=None if name == "__all__" else name) from None
    field, message = DUPLICATE[model]
    record._history_user = user
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationFailed(str(message), field=field) from None
    return record


def create_record(*, model, user, data: dict):
    """A new labour pool, item setup family or changeover."""
    return _save(model(), user=user, data=data)


def update_record(*, instance, user, data: dict):
    """Change one of them; the user must reach its site before and after."""
    require_site_access(user, _site_id(instance))
    with transaction.atomic():
        locked = type(instance).objects.select_for_update().get(pk=instance.pk)
        return _save(locked, user=user, data=data)


def delete_record(*, instance, user) -> None:
    """Remove one; the next schedule run no longer sees it."""
    require_site_access(user, _site_id(instance))
    instance.delete()
