"""What the warehouse's shop-floor screens share beyond the kit (`core.floor`): the reference
their moves carry, the wording of a done move, record ids from the query string."""

from django.http import Http404
from django.utils.translation import gettext as _

from core.quantities import plain_quantity
from wms.models import StockMove

REFERENCE = "floor"


def describe_move(done: StockMove) -> str:
    return _("Moved %(quantity)s %(unit)s of %(item)s%(lot)s from %(from)s to %(to)s.") % {
        "quantity": plain_quantity(done.quantity),
        "unit": done.item.base_unit.code,
        "item": done.item.code,
        "lot": f" · {done.lot.code}" if done.lot else "",
        "from": done.from_bin.code,
        "to": done.to_bin.code,
    }


def record_ids(params, *names) -> dict[str, int | None]:
    """Record ids named in the query string; anything but digits is a record that does not exist."""
    ids = {}
    for name in names:
        value = params.get(name, "")
        if value and not (value.isascii() and value.isdigit()):
            raise Http404
        ids[name] = int(value) if value else None
    return ids
