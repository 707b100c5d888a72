"""Forms of the shop-floor screens. They only turn what was scanned or tapped into records
(through `wms.scancodes`) and numbers; the services decide everything else."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ValidationFailed
from wms import scancodes

SCAN_ATTRS = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "inputmode": "none"}
KEYPAD_ATTRS = {"autocomplete": "off", "inputmode": "none", "class": "keypad-target"}

KIND_HINTS = {
    ("bin",): gettext_lazy("Scan a bin label here."),
    ("lot", "item"): gettext_lazy("Scan an item or lot label here."),
    ("lot",): gettext_lazy("Scan a lot label here."),
}


class ScanField(forms.CharField):
    """A field filled by a scanner. The form turns its text into a `scancodes.Scan` of one of
    `kinds`."""

    def __init__(self, *, kinds: tuple[str, ...], new_lot_ok: bool = False, **kwargs):
        self.kinds = kinds
        self.new_lot_ok = new_lot_ok
        kwargs.setdefault("widget", forms.TextInput(attrs=SCAN_ATTRS))
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)


class QuantityField(forms.CharField):
    """A quantity from the on-screen keypad: a positive decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs=KEYPAD_ATTRS))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if text in self.empty_values:
            return None
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise forms.ValidationError(_("Enter a number."))
        if number <= 0:
            raise forms.ValidationError(_("The quantity must be greater than zero."))
        return number


class TabletForm(forms.Form):
    """Scan fields are resolved for `user` after the plain field checks; a domain error raised by
    a service can be shown on the field it names (`show_domain_error`)."""

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if isinstance(field, ScanField) and cleaned.get(name):
                try:
                    scan = scancodes.parse(cleaned[name], user=self.user, field=name, new_lot_ok=field.new_lot_ok)
                except ValidationFailed as error:
                    self.add_error(name, str(error.message))
                    continue
                if scan.kind not in field.kinds:
                    self.add_error(name, str(KIND_HINTS.get(field.kinds, _("This is not the code expected here."))))
                    continue
                cleaned[name] = scan
        return cleaned

    def show_domain_error(self, error, aliases: dict | None = None) -> None:
        field = (aliases or {}).get(error.field, error.field)
        field = field if field in self.fields else None
        self.add_error(field, str(error.message))

    @property
    def focus(self) -> str | None:
        """The field the cursor belongs in: the first with an error, else the first empty one."""
        names = [name for name, field in self.fields.items() if not field.widget.is_hidden]
        for name in names:
            if name in self.errors:
                return name
        for name in names:
            if not self[name].value():
                return name
        return names[-1] if names else None


def require_lot_for_tracked_item(form: TabletForm, field: str, scan) -> None:
    """An item scan of a lot-tracked item cannot say which lot: ask for the lot label."""
    if scan is not None and scan.kind == "item" and scan.item.is_lot_tracked:
        form.add_error(
            field,
            _("%(item)s is tracked by lot: scan the lot label instead.") % {"item": scan.item.code},
        )


class MoveForm(TabletForm):
    from_bin = ScanField(kinds=("bin",), label=gettext_lazy("From bin"))
    what = ScanField(kinds=("lot", "item"), label=gettext_lazy("Item or lot"))
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    to_bin = ScanField(kinds=("bin",), label=gettext_lazy("To bin"))

    def clean(self):
        cleaned = super().clean()
        what = cleaned.get("what")
        if isinstance(what, scancodes.Scan):
            require_lot_for_tracked_item(self, "what", what)
        return cleaned


class ReceiveForm(TabletForm):
    """Receive against an expected line (item given) or without notice (item scanned). A lot label
    scanned into `item` also fills the lot code and quantity when those are left empty."""

    item = ScanField(kinds=("lot", "item"), new_lot_ok=True, label=gettext_lazy("Item or lot label"))
    quantity = QuantityField(label=gettext_lazy("Quantity received"), required=False)
    lot_code = forms.CharField(
        label=gettext_lazy("Lot"), required=False, max_length=60, widget=forms.TextInput(attrs=SCAN_ATTRS)
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
            cleaned["lot_code"] = cleaned.get("lot_code") or scan.lot_code
            cleaned["quantity"] = cleaned.get("quantity") or scan.quantity
            cleaned["expiry"] = cleaned.get("expiry") or scan.expiry
        if not cleaned.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity received."))
        # Whether a lot is needed (or refused) is the ledger's rule; its errors land on lot_code.
        return cleaned


class PutawayForm(TabletForm):
    quantity = QuantityField(label=gettext_lazy("Quantity"))
    to_bin = ScanField(kinds=("bin",), label=gettext_lazy("Scan the bin you put it in"))


class PickForm(TabletForm):
    """Confirm a pick line: the bin and (for a lot) the lot label are scanned. Reporting short
    takes the quantity actually found, which may be zero (then there is no label to scan)."""

    bin = ScanField(kinds=("bin",), label=gettext_lazy("Scan the bin"))
    lot = ScanField(kinds=("lot",), label=gettext_lazy("Scan the lot label"), required=False)
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity picked"),
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=6,
        widget=forms.TextInput(attrs=KEYPAD_ATTRS),
        error_messages={"min_value": gettext_lazy("A quantity cannot be negative.")},
    )

    def __init__(self, *args, line, short: bool = False, **kwargs):
        self.line = line
        self.short = short
        super().__init__(*args, **kwargs)
        if line.lot_id is None:
            del self.fields["lot"]

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


class CountForm(TabletForm):
    bin = ScanField(kinds=("bin",), label=gettext_lazy("Scan the bin"))
    counted_quantity = forms.DecimalField(
        label=gettext_lazy("Quantity you counted"),
        min_value=Decimal(0),
        max_digits=18,
        decimal_places=6,
        widget=forms.TextInput(attrs=KEYPAD_ATTRS),
        error_messages={"min_value": gettext_lazy("A count cannot be negative.")},
    )
    reason = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=300)

    def __init__(self, *args, task, **kwargs):
        self.task = task
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        scan = cleaned.get("bin")
        if isinstance(scan, scancodes.Scan) and scan.bin != self.task.bin:
            self.add_error("bin", _("Wrong bin: this count is for %(bin)s.") % {"bin": self.task.bin.code})
        return cleaned


class ScanOnlyForm(TabletForm):
    """One scan field, for the screens that start from a scan (putaway, count)."""

    code = ScanField(kinds=("bin", "lot", "item"), label=gettext_lazy("Scan"))
