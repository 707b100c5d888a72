"""The OPC UA setup API: endpoints (`/opcua-endpoints/`, with `POST <id>/test/` reading each node's
current value) and their nodes (`/opcua-nodes/`). Reads through `mes.selectors.opcua`, writes
through `mes.services.opcua`; the password and the client private key are write only; another site's record answers 404."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.fields import CodeField
from core.api.viewsets import ScopedReadOnlyViewSet
from core.models import Site
from mes.models import Equipment, NodeCarries, OpcUaEndpoint, OpcUaNode, SecurityMode, SecurityPolicy
from mes.selectors import opcua as selectors
from mes.services import opcua as services

# --- serializers ---------------------------------------------------------------------------------


class OpcUaNodeSerializer(serializers.ModelSerializer):
    endpoint = CodeField(queryset=OpcUaEndpoint.objects.all())
    equipment = CodeField(queryset=Equipment.objects.all())
    carries = serializers.ChoiceField(choices=NodeCarries.choices, default=NodeCarries.VALUE)
    node_id = serializers.CharField(max_length=300)

    class Meta:
        model = OpcUaNode
        fields = ["id", *services.NODE_FIELDS, "counter_value", "created_at", "updated_at"]
        read_only_fields = ["id", "counter_value", "created_at", "updated_at"]
        extra_kwargs = {"tag": {"required": False}, "deadband": {"required": False}}
        validators = []  # the service checks (endpoint, node id) and names the field

    def validate_node_id(self, value):
        return services.parse_node_id(value).to_string()


class OpcUaEndpointSerializer(serializers.ModelSerializer):
    site = CodeField(queryset=Site.objects.all())
    security_mode = serializers.ChoiceField(choices=SecurityMode.choices, default=SecurityMode.NONE)
    security_policy = serializers.ChoiceField(choices=SecurityPolicy.choices, default=SecurityPolicy.NONE)
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, trim_whitespace=False
    )
    has_password = serializers.BooleanField(read_only=True)
    client_certificate = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_PEM)
    client_private_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=services.MAX_PEM
    )
    has_client_key = serializers.BooleanField(read_only=True)
    server_certificate = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_PEM)
    publishing_interval_ms = serializers.IntegerField(
        min_value=services.MIN_PUBLISHING_MS, max_value=services.MAX_PUBLISHING_MS, required=False
    )
    nodes = serializers.SerializerMethodField()

    class Meta:
        model = OpcUaEndpoint
        fields = [
            "id",
            *services.ENDPOINT_FIELDS,
            "has_password",
            "has_client_key",
            "nodes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "has_password", "has_client_key", "nodes", "created_at", "updated_at"]
        extra_kwargs = {"name": {"required": False}, "username": {"required": False}}

    def get_nodes(self, endpoint) -> list[int]:
        return [node.pk for node in endpoint.nodes.all()]

    def validate_url(self, value):
        return services._check_url(value)


class ReadingSerializer(serializers.Serializer):
    node_id = serializers.CharField()
    equipment = serializers.CharField()
    label = serializers.CharField()
    value = serializers.SerializerMethodField()
    status = serializers.CharField()
    error = serializers.CharField()

    def get_value(self, reading) -> str | float | int | bool | None:
        value = reading.value
        return value if value is None or isinstance(value, bool | int | float | str) else str(value)


class ConnectionTestSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    error = serializers.CharField()
    server_state = serializers.CharField()
    readings = ReadingSerializer(many=True, allow_null=True)


# --- filters -------------------------------------------------------------------------------------


class EndpointFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="site__code")

    class Meta:
        model = OpcUaEndpoint
        fields = ["site", "enabled", "code"]


class NodeFilter(django_filters.FilterSet):
    site = django_filters.CharFilter(field_name="endpoint__site__code")
    endpoint = django_filters.CharFilter(field_name="endpoint__code")
    equipment = django_filters.CharFilter(field_name="equipment__code")

    class Meta:
        model = OpcUaNode
        fields = ["site", "endpoint", "equipment", "carries"]


# --- views ---------------------------------------------------------------------------------------


class OpcUaEndpointViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedReadOnlyViewSet):
    """OPC UA servers machine data is read from, per site; supervisors and admins set them up.
    `POST <id>/test/` connects as the connector would and reads each node's current value."""

    queryset = OpcUaEndpoint.objects.none()
    serializer_class = OpcUaEndpointSerializer
    selector = staticmethod(selectors.endpoint_list)
    filterset_class = EndpointFilter
    search_fields = ["code", "name", "url"]
    ordering_fields = ["code", "created_at"]
    ordering = ["code", "id"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("nodes")

    @property
    def required_permissions(self):
        return {"test": {"POST": ["mes.change_opcuaendpoint"]}}.get(getattr(self, "action", None))

    def perform_create(self, serializer):
        serializer.instance = services.create_endpoint(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_endpoint(
            endpoint=serializer.instance, user=self.request.user, data=serializer.validated_data
        )

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=None, responses=ConnectionTestSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Connect and read each node now; a failure is described in `error` (200 either way)."""
        outcome = services.test_endpoint(endpoint=self.get_object(), user=request.user)
        return Response(ConnectionTestSerializer(outcome).data)


class OpcUaNodeViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ScopedReadOnlyViewSet
):
    """The nodes of the endpoints and what each carries for which equipment
    (`?endpoint=&equipment=&site=&carries=`)."""

    queryset = OpcUaNode.objects.none()
    serializer_class = OpcUaNodeSerializer
    selector = staticmethod(selectors.node_list)
    filterset_class = NodeFilter
    search_fields = ["node_id", "tag", "equipment__code"]
    ordering_fields = ["node_id", "created_at"]
    ordering = ["endpoint__code", "node_id", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.create_node(user=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_node(
            node=serializer.instance, user=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_node(node=instance, user=self.request.user)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        response.status_code = status.HTTP_201_CREATED
        return response


def register(router) -> None:
    router.register("opcua-endpoints", OpcUaEndpointViewSet, basename="opcua-endpoint")
    router.register("opcua-nodes", OpcUaNodeViewSet, basename="opcua-node")
