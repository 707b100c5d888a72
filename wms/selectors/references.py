"""The records a stock move names by code, read in one statement.

A move posted through the API names its item and bins by code. Three ORM lookups (the item with
its base unit, each bin with its warehouse, site and zone) cost about ten times what running them
costs, on the ledger's busiest path; this reads the same records with one plain statement.
"""

from django.db import connection

from core import rows
from core.models import Item, Site, Unit
from core.scoping import user_site_ids
from wms.models import Bin, Warehouse, Zone

_BIN_PARTS = (Bin, Warehouse, Site, Zone)


def move_references(*, user, item_code: str, bin_codes: list[str]) -> tuple[Item | None, dict[str, Bin]]:
    """The item of `item_code` (with its base unit) and the bins of `bin_codes` by code (each with
    its warehouse, site and zone), as `select_related` would load them. Bins of sites `user` does
    not work at are not found, as `Bin.objects.for_user` would not find them. An unknown item
    returns (None, {}): the caller reports it, and looks bins up itself if it must name them too.
    """
    site_ids = user_site_ids(user)
    scope, scope_params = ("", []) if site_ids is None else (" AND w.site_id = ANY(%s)", [sorted(site_ids)])
    sql = (
        f"SELECT {rows.columns(Item, 'i')}, {rows.columns(Unit, 'u')}, {rows.columns(Bin, 'b')}, "  # noqa: S608 - placeholders only
        f"{rows.columns(Warehouse, 'w')}, {rows.columns(Site, 's')}, {rows.columns(Zone, 'z')} "
        "FROM core_item i JOIN core_unit u ON u.id = i.base_unit_id "
        "LEFT JOIN (wms_bin b JOIN wms_warehouse w ON w.id = b.warehouse_id "
        "JOIN core_site s ON s.id = w.site_id JOIN wms_zone z ON z.id = b.zone_id) "
        f"ON b.code = ANY(%s){scope} "
        "WHERE i.code = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(bin_codes), *scope_params, item_code])
        found = cursor.fetchall()
    if not found:
        return None, {}
    first = found[0]
    offset = rows.width(Item)
    item = rows.instance(Item, first[:offset])
    item.base_unit = rows.instance(Unit, first[offset : offset + rows.width(Unit)])
    offset += rows.width(Unit)
    bins = {}
    for row in found:
        parts, start = [], offset
        for model in _BIN_PARTS:
            parts.append(rows.instance(model, row[start : start + rows.width(model)]))
            start += rows.width(model)
        bin_, warehouse, site, zone = parts
        if bin_ is None:
            continue
        warehouse.site = site
        bin_.warehouse = warehouse
        bin_.zone = zone
        bins[bin_.code] = bin_
    return item, bins
