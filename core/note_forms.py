"""Forms of comments and saved filters: they check the shape of the input; the services
(`core.services.comments`, `core.services.saved_filters`) apply the rules."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.services.comments import MAX_BODY


class CommentForm(forms.Form):
    record = forms.CharField(widget=forms.HiddenInput, max_length=120)
    body = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Add a comment…")}),
    )
    file = forms.FileField(label=_("Attach a file"), required=False, allow_empty_file=True)
    key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def __init__(self, *args, record_key: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # A fresh key per form shown: the same form sent twice adds one comment.
            self.initial.update({"record": record_key, "key": uuid.uuid4()})

    def clean_body(self):
        return self.cleaned_data["body"].replace("\x00", "")

    def clean_record(self):
        """`app.model:pk`, as the panel writes it."""
        value = self.cleaned_data["record"]
        label, _sep, pk = value.partition(":")
        if not label or not pk.isdigit() or not value.isprintable():
            raise forms.ValidationError(_("No such record."))
        return label, int(pk)


class SavedFilterForm(forms.Form):
    path = forms.CharField(widget=forms.HiddenInput, max_length=200)
    query = forms.CharField(widget=forms.HiddenInput, max_length=2000, required=False)
    name = forms.CharField(label=_("Name"), max_length=80)

    def clean_name(self):
        return self.cleaned_data["name"].replace("\x00", "")
