"""Forms of the warehouse's shop-floor screens, on the shared kit (`core.floor.forms`). They only
turn what was scanned or tapped into records and numbers; the services decide everything else."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import scancodes
from core.floor.forms import SCAN_ATTRS, FloorForm, KeypadQuantityField, ScanField
from core.forms import model_rules
from wms.models import Lot
from wms.selectors.stock import lot_list, stock_list

BIN_HINT = gettext_lazy("Scan a bin label here.")
ITEM_OR_LOT_HINT = gettext_lazy("Scan an item or lot label here.")
LOT_HINT = gettext_lazy("Scan a lot label here.")


def bin_field(label, **kwargs) -> ScanField:
    return ScanField(kinds=("bin",), hint=BIN_HINT, label=label, **kwargs)


def require_lot_for_tracked_item(form: FloorForm, field: str, scan) -> None:
    """An item scan of a lot-tracked item cannot say which lot: ask for the lot label."""
    if scan is not None and scan.kind == "item" and scan.item.is_lot_tracked:
        form.add_error(
            field,
            _("%(item)s is tracked by lot: scan the lot label instead.") % {"item": scan.item.code},
        )


class MoveForm(FloorForm):
    from_bin = bin_field(gettext_lazy("From bin"))
    what = ScanField(
        kinds=("lot", "item"),
        hint=ITEM_OR_LOT_HINT,
        label=gettext_lazy("Item or lot"),
        help_text=gettext_lazy("An item or lot label, ITEM|LOT, or the code of a lot in the from bin."),
    )
    quantity = KeypadQuantityField(label=gettext_lazy("Quantity"))
    to_bin = bin_field(gettext_lazy("To bin"))

    def expected_lots(self, name, cleaned):
        source = cleaned.get("from_bin")
        if name != "what" or not isinstance(source, scancodes.Scan):
            return super().expected_lots(name, cleaned)
        in_bin = stock_list(user=self.user).filter(bin=source.record, lot__isnull=False).values("lot_id")
        return lot_list(user=self.user).filter(pk__in=in_bin)

    def quantity_unit(self, cleaned):
        what = cleaned.get("what")
        return what.item.base_unit if isinstance(what, scancodes.Scan) else None

    def clean(self):
        cleaned = super().clean()
        what = cleaned.get("what")
        if isinstance(what, scancodes.Scan):
            require_lot_for_tracked_item(self, "what", what)
        return cleaned


class ReceiveForm(FloorForm):
    """Receive against an expected line (item given) or without notice (item scanned). A lot label
    scanned into `item` also fills the lot code and quantity when those are left empty."""

    error_aliases = {"lot": "lot_code"}
    item = ScanField(
        kinds=("lot", "item"), hint=ITEM_OR_LOT_HINT, new_lot_ok=True, label=gettext_lazy("Item or lot label")
    )
    quantity = KeypadQuantityField(label=gettext_lazy("Quantity received"), required=False)
    lot_code = forms.CharField(
        label=gettext_lazy("Lot"),
        required=False,
        max_length=60,
        validators=model_rules(Lot, "code"),
        widget=forms.TextInput(attrs=SCAN_ATTRS),
    )
    supplier_lot = forms.CharField(
        label=gettext_lazy("Supplier lot (optional)"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs=SCAN_ATTRS),
    )
    expiry = forms.DateField(
        label=gettext_lazy("Expiry (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, line=None, **kwargs):
        self.line = line
        super().__init__(*args, **kwargs)
        if line is not None:
            self.fields["item"].required = False
            self.fields["item"].widget = forms.HiddenInput()

    def quantity_unit(self, cleaned):
        if self.line is not None:
            return self.line.item.base_unit
        scan = cleaned.get("item")
        return scan.item.base_unit if isinstance(scan, scancodes.Scan) else None

    def clean(self):
        cleaned = super().clean()
        scan = cleaned.get("item")
        if self.line is not None:
            item = self.line.item
            if isinstance(scan, scancodes.Scan) and scan.item != item:
                self.add_error(
                    "item",
                    _("This is %(scanned)s; the line is for %(item)s.")
                    % {
                        "scanned": scan.item.code,
                        "item": item.code,
                    },
                )
                return cleaned
        elif isinstance(scan, scancodes.Scan):
            item = scan.item
        else:
            return cleaned
        cleaned["item_record"] = item
        if isinstance(scan, scancodes.Scan) and scan.kind == "lot":
            if not cleaned.get("lot_code") and "lot_code" not in self.errors:
                self._take_lot_code(cleaned, scan.lot_code)
            cleaned["quantity"] = cleaned.get("quantity") or scan.quantity
            cleaned["expiry"] = cleaned.get("expiry") or scan.expiry
        if not cleaned.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity received."))
        # Whether a lot is needed (or refused) is the ledger's rule; its errors land on lot_code.
        return cleaned

    def _take_lot_code(self, cleaned, code: str) -> None:
        """A new lot named by the scanned label: held to the lot's own rules, like one typed."""
        try:
            self.fields["lot_code"].run_validators(code)
        except forms.ValidationError as error:
            self.add_error("item", error)
        else:
            cleaned["lot_code"] = code


class PutawayForm(FloorForm):
    quantity = KeypadQuantityField(label=gettext_lazy("Quantity"))
    to_bin = bin_field(gettext_lazy("Scan the bin you put it in"))


class PickForm(FloorForm):
    """Confirm a pick line: the bin and (for a lot) the lot label are scanned. Reporting short
    takes the quantity actually found, which may be zero (then there is no label to scan)."""

    error_aliases = {"scanned_bin": "bin", "scanned_lot": "lot", "picked_quantity": "quantity"}
    bin = bin_field(gettext_lazy("Scan the bin"))
    lot = ScanField(
        kinds=("lot",),
        hint=LOT_HINT,
        label=gettext_lazy("Scan the lot label"),
        help_text=gettext_lazy("The lot label, ITEM|LOT, or the lot code as printed."),
        required=False,
    )
    quantity = KeypadQuantityField(label=gettext_lazy("Quantity picked"), allow_zero=True)

    def __init__(self, *args, line, short: bool = False, **kwargs):
        self.line = line
        self.short = short
        super().__init__(*args, **kwargs)
        if line.lot_id is None:
            del self.fields["lot"]
        else:
            self.fields["lot"].lots = lot_list(user=self.user).filter(item=line.item)

    def quantity_unit(self, cleaned):
        return self.line.item.base_unit

    def clean(self):
        cleaned = super().clean()
        quantity = cleaned.get("quantity")
        if quantity is None:
            return cleaned
        if self.short and quantity >= self.line.quantity:
            self.add_error("quantity", _("Short pick: enter the quantity you actually found."))
        if not self.short and quantity < self.line.quantity:
            self.add_error(
                "quantity",
                _("That is less than asked: press “Report short” if that is all there is."),
            )
        if "lot" in self.fields and quantity > 0 and not cleaned.get("lot") and "lot" not in self.errors:
            self.add_error("lot", _("Scan the lot label."))
        return cleaned


class CountForm(FloorForm):
    bin = bin_field(gettext_lazy("Scan the bin"))
    counted_quantity = KeypadQuantityField(label=gettext_lazy("Quantity you counted"), allow_zero=True)
    reason = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=300)

    def __init__(self, *args, task, **kwargs):
        self.task = task
        super().__init__(*args, **kwargs)

    def quantity_unit(self, cleaned):
        return self.task.item.base_unit

    def clean(self):
        cleaned = super().clean()
        scan = cleaned.get("bin")
        if isinstance(scan, scancodes.Scan) and scan.record != self.task.bin:
            self.add_error("bin", _("Wrong bin: this count is for %(bin)s.") % {"bin": self.task.bin.code})
        return cleaned


class ScanOnlyForm(FloorForm):
    """One scan field, for the screens that start from a scan (putaway, count)."""

    code = ScanField(kinds=("bin", "lot", "item"), label=gettext_lazy("Scan"))
