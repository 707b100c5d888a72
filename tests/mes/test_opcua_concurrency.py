"""The OPC UA setup fired twice at once, each on its own connection: one node or endpoint is
made and the other request is refused with the field named (400, never a 500); a node deleted
twice is gone once."""

import pytest
from rest_framework.test import APIClient

from mes.models import OpcUaEndpoint, OpcUaNode
from mes.services import opcua
from tests.mes.factories import production_plant
from tests.mes.test_alerts_concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1/mes"


@pytest.fixture
def plant():
    return production_plant(prefix="UC")


def _post(user, path, body):
    def call():
        client = APIClient()
        client.force_authenticate(user)
        response = client.post(path, body, format="json")
        return response.status_code, response.json()

    return call


def test_the_same_node_created_twice_at_once_is_made_once(plant):
    opcua.create_endpoint(user=None, site=plant.site, code="UC-PRESS", url="opc.tcp://10.0.0.5:4840/")
    body = {"endpoint": "UC-PRESS", "equipment": "UC-LATHE1", "node_id": "ns=2;s=T", "tag": "temp"}
    results = at_once(*[_post(plant.supervisor, f"{API}/opcua-nodes/", body) for _ in range(2)])
    assert sorted(status for status, _body in results) == [201, 400]
    refused = next(body for status, body in results if status == 400)
    assert "node_id" in refused or refused.get("field") == "node_id"
    assert OpcUaNode.objects.count() == 1


def test_the_same_endpoint_created_twice_at_once_is_made_once(plant):
    body = {"site": plant.site.code, "code": "UC-PRESS", "url": "opc.tcp://10.0.0.5:4840/"}
    results = at_once(*[_post(plant.supervisor, f"{API}/opcua-endpoints/", body) for _ in range(2)])
    assert sorted(status for status, _body in results) == [201, 400]
    assert OpcUaEndpoint.objects.count() == 1


def test_a_node_deleted_twice_at_once_is_gone_once(plant):
    endpoint = opcua.create_endpoint(user=None, site=plant.site, code="UC-PRESS", url="opc.tcp://10.0.0.5:4840/")
    node = opcua.create_node(user=None, endpoint=endpoint, equipment=plant.lathe1, node_id="ns=2;s=T", tag="t")

    def delete():
        client = APIClient()
        client.force_authenticate(plant.supervisor)
        return client.delete(f"{API}/opcua-nodes/{node.pk}/").status_code

    assert sorted(at_once(delete, delete)) == [204, 404]
    assert not OpcUaNode.objects.exists()
