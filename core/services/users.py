"""Users, their roles and sites."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from rest_framework.authtoken.models import Token

from core.events import publish
from core.models import Role, User


@transaction.atomic
def create_user(*, user, data: dict) -> User:
    """Create a user with roles and sites. The password is validated by the password rules."""
    data = dict(data)
    password = data.pop("password", None)
    roles = data.pop("roles", [])
    sites = data.pop("sites", [])
    new = User(**data)
    new._history_user = user
    if roles:
        new._change_reason = _roles_change([], roles)
    new.full_clean(exclude=["password"])
    if password:
        validate_password(password, new)
        new.set_password(password)
    else:
        new.set_unusable_password()
    new.save()
    _assign(new, roles=roles, sites=sites)
    publish("core.user.created", {"id": new.pk, "username": new.username}, live=False)
    return new


@transaction.atomic
def update_user(*, instance: User, user, data: dict) -> User:
    data = dict(data)
    password = data.pop("password", None)
    roles = data.pop("roles", None)
    sites = data.pop("sites", None)
    for field, value in data.items():
        setattr(instance, field, value)
    instance._history_user = user
    # Roles are groups, which the user's history does not track: the entry names the change.
    changed_roles = roles is not None and sorted(set(roles)) != instance.roles
    instance._change_reason = _roles_change(instance.roles, roles) if changed_roles else None
    instance.full_clean(exclude=["password"])
    if password:
        validate_password(password, instance)
        instance.set_password(password)
    instance.save()
    _assign(instance, roles=roles, sites=sites)
    publish("core.user.updated", {"id": instance.pk, "username": instance.username}, live=False)
    return instance


@transaction.atomic
def deactivate_user(*, instance: User, user) -> None:
    """Users are never deleted (their names stay on the records they signed): they are disabled."""
    instance.is_active = False
    instance._history_user = user
    instance.save(update_fields=["is_active"])
    Token.objects.filter(user=instance).delete()
    publish("core.user.deactivated", {"id": instance.pk, "username": instance.username}, live=False)


def _roles_change(old, new) -> str:
    return "roles: {} → {}".format(", ".join(sorted(old)) or "-", ", ".join(sorted(set(new))) or "-")


def _assign(target: User, *, roles, sites) -> None:
    if roles is not None:
        keep = target.groups.exclude(name__in=Role.values)
        target.groups.set(list(keep) + [Group.objects.get_or_create(name=role)[0] for role in roles])
        target._roles_cache = None
    if sites is not None:
        target.sites.set(sites)
        target._site_ids_cache = None


def issue_token(*, user: User) -> Token:
    """A fresh API token for `user` (the old one stops working)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
