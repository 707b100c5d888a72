"""Forms of the production desk pages: they check input; the services decide and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import ServiceForm
from mes.models import WorkOrder


class WorkOrderForm(ServiceForm):
    """A new work order (site, item, quantity, due, priority); an existing one changes only its
    due date, priority and reference."""

    class Meta:
        model = WorkOrder
        fields = ["site", "item", "quantity", "due", "priority", "reference"]
        widgets = {"due": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
        help_texts = {"priority": _("1 is the most urgent, 9 the least.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
        self.fields["priority"].min_value = 1
        self.fields["priority"].max_value = 9
        if self.instance.pk:
            for name in ("site", "item", "quantity"):
                del self.fields[name]

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
