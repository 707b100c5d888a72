"""What the warehouse imports from spreadsheets (see `core.services.imports`): bins, and the
opening stock of a site, posted through the ledger as adjustments with the reason
"opening balance". Rows are checked with the API's serializers and written by the same services
the API calls."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ValidationFailed
from core.services.imports import ImportKind, refusal_errors, register_kind, serializer_errors
from wms.models import Bin, MoveKind
from wms.services import ledger, locations

OPENING_BALANCE = "opening balance"

BIN_COLUMNS = (
    "warehouse",
    "zone",
    "aisle",
    "rack",
    "level",
    "position",
    "max_volume_l",
    "max_weight_kg",
    "max_lots",
    "distance_rank",
    "pick_sequence",
)
STOCK_COLUMNS = ("item", "bin", "lot", "quantity", "unit", "expiry", "manufactured_on", "supplier_lot")


def _at_site(record_site_id, context, column: str, what: str) -> list[tuple[str, str]]:
    if record_site_id != context.site.pk:
        return [(column, _("This %(what)s is at another site.") % {"what": what})]
    return []


def check_bin(row: dict, context):
    from wms.api.serializers.locations import BinSerializer

    serializer = BinSerializer(data=row, context={"request": context.request})
    if not serializer.is_valid():
        return None, serializer_errors(serializer.errors)
    data = dict(serializer.validated_data)
    problems = _at_site(data["warehouse"].site_id, context, "warehouse", _("warehouse"))
    if problems:
        return None, problems
    try:
        code = locations.build_bin_code(
            warehouse=data["warehouse"],
            **{part: data.get(part, "") for part in locations.LOCATION_PARTS},
        )
    except ValidationFailed as error:
        return None, refusal_errors(error)
    if Bin.objects.filter(code__iexact=code).exists():
        return None, [("aisle", _("Bin %(code)s already exists.") % {"code": code})]
    data["code"] = code
    return data, []


def write_bin(data: dict, context):
    data = dict(data)
    data.pop("code")
    return locations.create_bin(user=context.user, **data)


def check_opening_stock(row: dict, context):
    from wms.api.serializers.stock import StockMoveSerializer

    body = {key: value for key, value in row.items() if key != "bin"}
    body.update(kind=MoveKind.ADJUSTMENT, reason=OPENING_BALANCE, reference=OPENING_BALANCE)
    if "bin" in row:
        body["to_bin"] = row["bin"]
    serializer = StockMoveSerializer(data=body, context={"request": context.request})
    if not serializer.is_valid():
        errors = serializer_errors(serializer.errors, aliases={"to_bin": "bin"})
        if "bin" not in row:
            errors.append(("bin", _("This field is required.")))
        return None, errors
    data = serializer.post_data()
    if data["to_bin"] is None:
        return None, [("bin", _("This field is required."))]
    problems = _at_site(data["to_bin"].warehouse.site_id, context, "bin", _("bin"))
    return (None, problems) if problems else (data, [])


def write_opening_stock(data: dict, context):
    return ledger.post_move(user=context.user, **data)


def register_kinds() -> None:
    register_kind(
        ImportKind(
            key="bins",
            label=gettext_lazy("Bins"),
            permission="wms.add_bin",
            columns=BIN_COLUMNS,
            required=("warehouse", "zone", "aisle"),
            example={"warehouse": "WH1", "zone": "RAW", "aisle": "A", "rack": "01", "level": "1", "max_lots": "4"},
            check=check_bin,
            write=write_bin,
            unique=lambda data: data["code"],
            unique_column="aisle",
        )
    )
    register_kind(
        ImportKind(
            key="opening_stock",
            label=gettext_lazy("Opening stock"),
            permission="wms.add_stockadjustment",
            columns=STOCK_COLUMNS,
            required=("item", "bin", "quantity"),
            example={"item": "RAW-100", "bin": "WH1-A-01-1", "lot": "L-0001", "quantity": "120", "unit": "kg"},
            check=check_opening_stock,
            write=write_opening_stock,
            help=gettext_lazy("Posted as adjustments with the reason “opening balance”."),
        )
    )
