from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Who sets up warehouses, zones and bins on the desk.
SETUP_ROLES = ("supervisor", "warehouse", "admin")


class WmsConfig(AppConfig):
    name = "wms"
    verbose_name = _("Warehouse")
    search = "wms.search.find_records"
    records = {
        "wms.lot": "wms.selectors.stock.lot_list",
        "wms.bin": "wms.selectors.stock.bin_list",
        "wms.expectedreceipt": "wms.selectors.inbound.expected_receipt_list",
        "wms.picklist": "wms.selectors.inbound.pick_list_list",
        "wms.counttask": "wms.selectors.control.count_task_list",
    }
    landing = {"warehouse": "tablet-home"}
    nav = [
        {"label": _("Dashboard"), "url": "wms:dashboard", "perm": "wms.view_stockquant"},
        {"label": _("Stock"), "url": "wms:stock", "perm": "wms.view_stockquant"},
        {"label": _("Lots"), "url": "wms:lot-list", "perm": "wms.view_lot"},
        {"label": _("Moves"), "url": "wms:move-list", "perm": "wms.view_stockmove"},
        {"label": _("Expected receipts"), "url": "wms:receipt-list", "perm": "wms.view_expectedreceipt"},
        {"label": _("Pick lists"), "url": "wms:picklist-list", "perm": "wms.view_picklist"},
        {"label": _("Counts"), "url": "wms:count-list", "perm": "wms.view_counttask"},
        {"label": _("Adjustments"), "url": "wms:adjustment-list", "perm": "wms.add_stockadjustment"},
        {"label": _("Alerts"), "url": "wms:alert-list", "perm": "wms.view_inventoryalert"},
        {
            "label": _("KPIs"),
            "url": "wms:kpis",
            "perm": "wms.view_stockquant",
            "roles": ("supervisor", "planner", "warehouse", "accountant", "admin"),
        },
        {"label": _("Bins"), "url": "wms:bin-list", "perm": "wms.view_bin"},
        {"label": _("Warehouses"), "url": "wms:warehouse-list", "perm": "wms.change_warehouse", "roles": SETUP_ROLES},
        {"label": _("Zones"), "url": "wms:zone-list", "perm": "wms.change_zone", "roles": SETUP_ROLES},
        {
            "label": _("Reorder rules"),
            "url": "wms:reorder-rule-list",
            "perm": "wms.change_stockpolicy",
            "roles": (*SETUP_ROLES, "planner"),
        },
    ]
    tablet = [
        {"label": _("Receive"), "url": "wms:tablet-receive", "icon": "inbox", "perm": "wms.add_stockmove"},
        {"label": _("Put away"), "url": "wms:tablet-putaway", "icon": "archive", "perm": "wms.add_stockmove"},
        {"label": _("Pick"), "url": "wms:tablet-pick", "icon": "list", "perm": "wms.add_stockmove"},
        {"label": _("Count"), "url": "wms:tablet-count", "icon": "hash", "perm": "wms.change_counttask"},
        {"label": _("Move"), "url": "wms:tablet-move", "icon": "move", "perm": "wms.add_stockmove"},
    ]

    def ready(self):
        from wms import approvals, events  # noqa: F401  (registers the event subscribers)
        from wms.floor import scanning
        from wms.services import imports

        scanning.register()
        approvals.register_kinds()
        imports.register_kinds()
