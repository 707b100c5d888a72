"""OPC UA setup pages of the production desk: endpoints (list, form, detail with their nodes and
a test connection) and nodes. Supervisors and admins change them; the same services as the API
do the work."""

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.forms import ServiceForm
from core.object_views import ObjectPage
from core.selectors import master_data
from mes.models import OpcUaEndpoint, OpcUaNode
from mes.selectors import opcua as selectors
from mes.selectors import plant
from mes.services import opcua as services


class EndpointForm(ServiceForm):
    """The password and private key fields are never filled in: left blank they keep the stored
    ones."""

    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Stored encrypted. Leave blank to keep the current one."),
    )
    clear_password = forms.BooleanField(label=_("Remove the stored password"), required=False)
    client_private_key = forms.CharField(
        label=_("Client private key (PEM)"),
        required=False,
        strip=False,
        max_length=services.MAX_PEM,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The key of the client certificate, unencrypted PEM. Stored encrypted; leave blank to keep it."),
    )
    clear_client_key = forms.BooleanField(label=_("Remove the client certificate and its key"), required=False)
    field_order = [
        "site",
        "code",
        "name",
        "url",
        "security_mode",
        "security_policy",
        "username",
        "password",
        "clear_password",
        "client_certificate",
        "client_private_key",
        "clear_client_key",
        "server_certificate",
        "publishing_interval_ms",
        "enabled",
    ]

    class Meta:
        model = OpcUaEndpoint
        fields = [
            "site",
            "code",
            "name",
            "url",
            "security_mode",
            "security_policy",
            "username",
            "client_certificate",
            "server_certificate",
            "enabled",
            "publishing_interval_ms",
        ]
        widgets = {
            "client_certificate": forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
            "server_certificate": forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["site"].queryset = master_data.site_list(user=self.user)
        if not (self.instance.pk and self.instance.has_password):
            del self.fields["clear_password"]
        if not (self.instance.pk and self.instance.has_client_key):
            del self.fields["clear_client_key"]

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        password = data.pop("password")
        if data.pop("clear_password", False):
            data["password"] = ""
        elif password:
            data["password"] = password
        key = data.pop("client_private_key")
        if data.pop("clear_client_key", False):
            data["client_private_key"] = ""
            data["client_certificate"] = ""
        elif key:
            data["client_private_key"] = key
        return data


class NodeForm(ServiceForm):
    class Meta:
        model = OpcUaNode
        fields = list(services.NODE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endpoint"].queryset = selectors.endpoint_list(user=self.user)
        self.fields["equipment"].queryset = plant.equipment_list(user=self.user)
        self.fields["tag"].required = False


def _endpoint_panel(request, endpoint) -> dict:
    return {
        "nodes": selectors.node_list(user=request.user).filter(endpoint=endpoint).order_by("node_id"),
        "may_test": request.user.has_perm("mes.change_opcuaendpoint"),
        "may_add_node": request.user.has_perm("mes.add_opcuanode"),
    }


PAGES = {
    "opcuaendpoint": ObjectPage(
        model=OpcUaEndpoint,
        name="opcuaendpoint",
        namespace="mes",
        selector=selectors.endpoint_list,
        form_class=EndpointForm,
        list_columns=["code", "name", "site", "url", "security_mode", "node_count", "enabled"],
        detail_fields=[
            "code",
            "name",
            "site",
            "url",
            "security_mode",
            "security_policy",
            "username",
            "has_password",
            "has_client_key",
            "publishing_interval_ms",
            "enabled",
        ],
        create_service=lambda *, user, data: services.create_endpoint(user=user, **data),
        update_service=lambda *, instance, user, data: services.update_endpoint(
            endpoint=instance, user=user, data=data
        ),
        search_fields=["code", "name", "url"],
        filters=["site", "enabled"],
        filter_selectors={"site": master_data.site_list},
        labels={
            "node_count": _("Nodes"),
            "has_password": _("Password stored"),
            "has_client_key": _("Client certificate stored"),
        },
        display={
            "node_count": lambda endpoint: str(endpoint.node_count),
            "has_password": lambda endpoint: _("yes") if endpoint.has_password else _("no"),
            "has_client_key": lambda endpoint: _("yes") if endpoint.has_client_key else _("no"),
        },
        detail_panels=["mes/_opcua_nodes.html"],
        detail_context=_endpoint_panel,
        signable=False,
    ),
    "opcuanode": ObjectPage(
        model=OpcUaNode,
        name="opcuanode",
        namespace="mes",
        selector=selectors.node_list,
        form_class=NodeForm,
        list_columns=["node_id", "endpoint", "equipment", "carries", "tag", "deadband"],
        detail_fields=["endpoint", "equipment", "node_id", "carries", "tag", "deadband", "counter_value"],
        create_service=lambda *, user, data: services.create_node(user=user, **data),
        update_service=lambda *, instance, user, data: services.update_node(node=instance, user=user, data=data),
        delete_service=lambda *, instance, user: services.delete_node(node=instance, user=user),
        search_fields=["node_id", "tag", "equipment__code", "endpoint__code"],
        filters=["endpoint", "carries"],
        filter_selectors={"endpoint": selectors.endpoint_list},
        signable=False,
    ),
}


@login_required
@permission_required("mes.change_opcuaendpoint", raise_exception=True)
@require_POST
def endpoint_test(request, pk):
    """Connect to the endpoint as the connector would and show each node's current value, or
    why the connection failed."""
    endpoint = get_object_or_404(selectors.endpoint_list(user=request.user), pk=pk)
    outcome = services.test_endpoint(endpoint=endpoint, user=request.user)
    return render(request, "mes/opcua_test.html", {"endpoint": endpoint, "object": endpoint, "outcome": outcome})
