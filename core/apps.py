from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    """Roles span every app's permissions, which post_migrate creates app by app: sync them once
    the last app's permissions exist (a fresh database, or a flush in a transactional test)."""
    from django.apps import apps

    from core.roles import sync_roles

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if with_models and sender is with_models[-1]:
        sync_roles()


# Who works at a desk with the organisation's money and set-up (not the shop floor's roles).
OFFICE_ROLES = ("supervisor", "planner", "quality", "accountant", "admin")
# Who brings records in from spreadsheets (each kind checks its own permission too).
IMPORT_ROLES = ("supervisor", "planner", "warehouse", "accountant", "admin")


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Master data")
    search = "core.search.find_master_data"
    # Records that take comments and attachments: model label -> the selector scoping it (core.records).
    records = {"core.item": "core.selectors.master_data.item_list"}
    # Where each role lands after signing in (apps add theirs; the first of the user's roles wins).
    landing = {"operator": "tablet-home"}
    # A nav entry with "roles" shows only to those roles, even where a permission would allow it.
    nav = [
        {"label": _("Items"), "url": "core:item-list", "perm": "core.view_item"},
        {"label": _("Partners"), "url": "core:partner-list", "perm": "core.view_partner"},
        {"label": _("Sites"), "url": "core:site-list", "perm": "core.view_site"},
        {"label": _("Companies"), "url": "core:company-list", "perm": "core.view_company", "roles": OFFICE_ROLES},
        {"label": _("Units"), "url": "core:unit-list", "perm": "core.view_unit"},
        {"label": _("Currencies"), "url": "core:currency-list", "perm": "core.view_currency", "roles": OFFICE_ROLES},
        {
            "label": _("Exchange rates"),
            "url": "core:exchangerate-list",
            "perm": "core.view_exchangerate",
            "roles": OFFICE_ROLES,
        },
        {"label": _("Users"), "url": "core:user-list", "perm": "core.view_user"},
        {"label": _("Webhooks"), "url": "core:webhook-list", "perm": "core.view_webhook"},
        {"label": _("Import from a file"), "url": "core:import-start", "perm": "core.view_item", "roles": IMPORT_ROLES},
    ]

    def ready(self):
        post_migrate.connect(_sync_roles, dispatch_uid="core.sync_roles")
        from core import tasks  # noqa: F401  (registers the outbox's delivery task)
        from core.services import imports

        imports.register_core_kinds()
        from core.services import outbox  # noqa: F401  (installs how events wake the outbox worker)
