"""The warehouse's codes on the shared scanner kit (`core.scancodes`): bins by code and lots by
item and code, both through the user's site-scoped reads."""

from core import scancodes
from wms.selectors.stock import bin_list, lot_list


def _bin(user, code: str):
    return scancodes.find_by_code(bin_list(user=user), code)


def _lot(user, item, code: str):
    return scancodes.find_by_code(lot_list(user=user).filter(item=item), code)


def register() -> None:
    """Called once from the app's `ready()`."""
    scancodes.register_kind("bin", lookup=_bin)
    scancodes.register_lot_lookup(_lot)


def bin_payload(*, bin) -> str:
    """What a bin label's QR code holds."""
    return scancodes.record_payload("bin", bin.code)
