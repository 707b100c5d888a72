"""Users, their roles and sites."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.errors import PermissionDenied
from core.events import publish
from core.models import Role, User
from core.scoping import user_site_ids


@transaction.atomic
def create_user(*, user, data: dict) -> User:
    """Create a user with roles and sites. The password is validated by the password rules."""
    data = dict(data)
    password = data.pop("password", None)
    roles = data.pop("roles", [])
    sites = data.pop("sites", [])
    _check_may_grant(user, roles=roles, sites=sites, data=data)
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
    """Change a user's details, password, roles and sites (see `_check_may_manage` for who may)."""
    data = dict(data)
    password = data.pop("password", None)
    roles = data.pop("roles", None)
    sites = data.pop("sites", None)
    _check_may_manage(user, instance, roles=roles, sites=sites, data=data)
    if sites is not None:
        sites = _keep_unseen_sites(user, instance, sites)
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
        _revoke_tokens(instance)
    instance.save()
    _assign(instance, roles=roles, sites=sites)
    publish("core.user.updated", {"id": instance.pk, "username": instance.username}, live=False)
    return instance


@transaction.atomic
def change_password(*, instance: User, user, password: str | None) -> User:
    """Set a new password (None: no password can sign in) and revoke the user's API tokens, so a
    token taken while the old password was known stops working. The admin's password page, the
    user pages and the API all change passwords through here or `update_user`."""
    _check_may_manage(user, instance, roles=None, sites=None, data={})
    if password is None:
        instance.set_unusable_password()
    else:
        validate_password(password, instance)
        instance.set_password(password)
    if user is not None:
        instance._history_user = user
    instance.save(update_fields=["password"])
    _revoke_tokens(instance)
    publish("core.user.password_changed", {"id": instance.pk, "username": instance.username}, live=False)
    return instance


def _revoke_tokens(target: User) -> None:
    Token.objects.filter(user=target).delete()


@transaction.atomic
def deactivate_user(*, instance: User, user) -> None:
    """Users are never deleted (their names stay on the records they signed): they are disabled."""
    _check_may_manage(user, instance, roles=None, sites=None, data={"is_active": False})
    instance.is_active = False
    instance._history_user = user
    instance.save(update_fields=["is_active"])
    _revoke_tokens(instance)
    publish("core.user.deactivated", {"id": instance.pk, "username": instance.username}, live=False)


def _is_admin(user) -> bool:
    return user is None or user_site_ids(user) is None


# Fields that carry power beyond roles and sites: only administrators set them.
PRIVILEGED_FIELDS = frozenset({"is_superuser", "is_staff", "groups", "user_permissions"})


def _check_may_grant(user, *, roles, sites, data: dict) -> None:
    """Only an administrator hands out the admin role or sites beyond the granter's own.

    `user` None is the system itself (seed data, commands). The model permissions already keep
    everyone but administrators off the user pages and API; this is the rule behind them, so a
    role that is later allowed to manage people still cannot raise anybody above itself.
    """
    if _is_admin(user):
        return
    if (roles and Role.ADMIN in roles) or PRIVILEGED_FIELDS & data.keys():
        raise PermissionDenied(_("Only an administrator can give the administrator role."), field="roles")
    own = user_site_ids(user)
    if sites and any(site.pk not in own for site in sites):
        raise PermissionDenied(_("You can only give sites you work at yourself."), field="sites")


def _check_may_manage(user, target: User, *, roles, sites, data: dict) -> None:
    """A non-administrator never changes an administrator, nor their own roles, sites or status."""
    if _is_admin(user):
        return
    if target.is_superuser or target.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only an administrator can change an administrator."))
    if target.pk == user.pk:
        changes_own_access = (
            (roles is not None and sorted(set(roles)) != target.roles)
            or (sites is not None and {s.pk for s in sites} != set(target.sites.values_list("pk", flat=True)))
            or ("is_active" in data and data["is_active"] != target.is_active)
        )
        if changes_own_access:
            raise PermissionDenied(_("You cannot change your own roles, sites or status."))
    _check_may_grant(user, roles=roles, sites=sites, data=data)


def _keep_unseen_sites(user, target: User, sites) -> list:
    """The new sites plus those of the target's sites the editor cannot see (and so cannot have
    meant to take away)."""
    own = user_site_ids(user)
    if own is None:
        return list(sites)
    return list(sites) + list(target.sites.exclude(pk__in=own))


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
