"""Roles and what each may do, declared once. `sync_roles` turns this into Django groups and
permissions after every migrate; later modules add their apps' rows here."""

from django.contrib.auth.models import Group, Permission

from core.models import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
APPROVE = "approve"  # custom permissions named approve_<model>
ALL = (VIEW, ADD, CHANGE, DELETE, APPROVE)

MASTER_DATA = ("company", "site", "currency", "exchangerate", "unit", "unitconversion", "item", "partner")
# A grant on ("core", MASTER) covers the master-data models above, not people, webhooks or the outbox.
MASTER = "master_data"

# role -> {(app_label, model or "*"): actions}
ROLE_PERMISSIONS: dict[str, dict[tuple[str, str], tuple[str, ...]]] = {
    Role.OPERATOR: {
        ("qms", "*"): (VIEW,),
        ("core", MASTER): (VIEW,),
        ("wms", "*"): (VIEW,),
        ("wms", "stockmove"): (VIEW, ADD),
        ("mes", "*"): (VIEW,),
        ("mes", "operation"): (VIEW, CHANGE),
        ("mes", "productionreport"): (VIEW, ADD),
        ("mes", "alert"): (VIEW, CHANGE),  # acknowledge
        ("qms", "inspectiontask"): (VIEW, CHANGE),  # in-process results on the terminal
    },
    Role.SUPERVISOR: {
        ("qms", "*"): (VIEW,),
        ("core", MASTER): (VIEW,),
        ("core", "user"): (VIEW,),  # the people of their sites
        ("wms", "*"): (VIEW, ADD, CHANGE),
        ("wms", "stockpolicy"): (VIEW, ADD, CHANGE, DELETE),  # reorder rules are removed too
        ("mes", "*"): (VIEW, ADD, CHANGE),
        ("scheduling", "*"): (VIEW, APPROVE),
        ("mes", "alert"): (VIEW, CHANGE, "resolve"),
        ("mes", "opcuanode"): (VIEW, ADD, CHANGE, DELETE),
    },
    Role.PLANNER: {
        ("qms", "*"): (VIEW,),
        ("core", MASTER): (VIEW,),
        ("core", "item"): (VIEW, ADD, CHANGE),
        ("core", "unitconversion"): (VIEW, ADD, CHANGE),
        ("wms", "*"): (VIEW,),
        ("wms", "expectedreceipt"): (VIEW, ADD, CHANGE),
        ("wms", "picklist"): (VIEW, ADD, CHANGE),
        ("wms", "stockpolicy"): (VIEW, ADD, CHANGE, DELETE),
        ("mes", "*"): (VIEW,),
        ("mes", "workorder"): (VIEW, ADD, CHANGE),
        ("mes", "bom"): (VIEW, ADD, CHANGE),
        ("mes", "routing"): (VIEW, ADD, CHANGE),
        ("scheduling", "*"): (VIEW, ADD, CHANGE, APPROVE),
    },
    Role.QUALITY: {
        ("qms", "*"): ALL,
        ("core", MASTER): (VIEW,),
        ("wms", "*"): (VIEW,),
        ("wms", "lot"): (VIEW, CHANGE),
        ("mes", "*"): (VIEW,),
    },
    Role.WAREHOUSE: {
        ("core", MASTER): (VIEW,),
        ("wms", "*"): (VIEW, ADD, CHANGE),
        ("wms", "stockpolicy"): (VIEW, ADD, CHANGE, DELETE),
    },
    Role.MAINTENANCE: {
        ("core", MASTER): (VIEW,),
        ("wms", "*"): (VIEW,),
        ("mes", "*"): (VIEW,),
        ("mes", "equipment"): (VIEW, CHANGE),
        ("mes", "alertrule"): (VIEW, ADD, CHANGE),
        ("mes", "processparameter"): (VIEW, ADD, CHANGE, DELETE),
        ("mes", "alert"): (VIEW, CHANGE, "resolve"),
    },
    Role.ACCOUNTANT: {
        ("core", MASTER): (VIEW,),
        ("core", "currency"): ALL,
        ("core", "exchangerate"): ALL,
        ("core", "partner"): (VIEW, ADD, CHANGE),
        ("wms", "*"): (VIEW,),
    },
    Role.ADMIN: {
        ("qms", "*"): ALL,
        ("core", "*"): ALL,
        ("wms", "*"): ALL,
        ("mes", "*"): ALL,
        ("scheduling", "*"): ALL,
        ("mes", "alert"): (*ALL, "resolve"),
        ("authtoken", "*"): ALL,
        ("django_celery_beat", "*"): ALL,
    },
}


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions declared above.

    Every permission is read once (it runs after each migrate and each flush): a handful of
    queries whatever the number of roles and grants."""
    permissions = list(
        Permission.objects.values_list("pk", "content_type__app_label", "content_type__model", "codename")
    )
    groups = {group.name: group for group in Group.objects.filter(name__in=list(ROLE_PERMISSIONS))}
    for role, grants in ROLE_PERMISSIONS.items():
        group = groups.get(role) or Group.objects.get_or_create(name=role)[0]
        wanted = {
            pk
            for pk, app_label, model, codename in permissions
            if any(_covers(grant, actions, app_label, model, codename) for grant, actions in grants.items())
        }
        group.permissions.set(wanted)


def _covers(grant: tuple[str, str], actions: tuple[str, ...], app_label: str, model: str, codename: str) -> bool:
    granted_app, granted_model = grant
    if granted_app != app_label or codename.split("_", 1)[0] not in actions:
        return False
    if granted_model == MASTER:
        return model in MASTER_DATA
    return granted_model in ("*", model)
