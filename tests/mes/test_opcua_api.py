"""The OPC UA setup API: fields and the write-only password, validation errors as 400 with the
field named, who may set up, site scoping (another site's endpoint is 404), and the test action
against a real asyncua server (values read, a missing node and an unreachable server described)."""

import pytest
from rest_framework.test import APIClient

from bench._server import free_port
from mes.models import OpcUaEndpoint, OpcUaNode
from mes.services import opcua
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import production_plant
from tests.mes.opcua_helpers import plant_server

pytestmark = pytest.mark.django_db

API = "/api/v1/mes"


@pytest.fixture
def plant():
    return production_plant(prefix="UA")


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _endpoint(plant, **extra):
    body = {"site": plant.site.code, "code": "UA-PRESS", "name": "Presses", "url": "opc.tcp://10.0.0.5:4840/"}
    return dict(body, **extra)


def test_endpoint_contract_and_the_password_is_never_shown(plant):
    supervisor = client_for(plant.supervisor)
    created = supervisor.post(
        f"{API}/opcua-endpoints/",
        _endpoint(plant, username="mes", password="s3cret", publishing_interval_ms=250),
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["site"] == "UA" + "S" and body["has_password"] is True and "password" not in body
    assert body["security_mode"] == "None" and body["enabled"] is True and body["publishing_interval_ms"] == 250
    stored = OpcUaEndpoint.objects.get(pk=body["id"])
    assert "s3cret" not in stored.password_sealed and opcua.open_password(stored.password_sealed) == "s3cret"
    node = supervisor.post(
        f"{API}/opcua-nodes/",
        {"endpoint": "UA-PRESS", "equipment": "UA-LATHE1", "node_id": "ns=2;s=Lathe1.Temp", "tag": "temp"},
        format="json",
    )
    assert node.status_code == 201, node.json()
    assert node.json()["carries"] == "value" and node.json()["endpoint"] == "UA-PRESS"
    # A change without the password keeps it; "" clears it.
    supervisor.patch(f"{API}/opcua-endpoints/{body['id']}/", {"name": "Press hall"}, format="json")
    assert opcua.open_password(OpcUaEndpoint.objects.get(pk=body["id"]).password_sealed) == "s3cret"
    cleared = supervisor.patch(f"{API}/opcua-endpoints/{body['id']}/", {"password": ""}, format="json").json()
    assert cleared["has_password"] is False and cleared["nodes"] == [node.json()["id"]]
    assert client_for(plant.operator).get(f"{API}/opcua-nodes/?endpoint=UA-PRESS").json()["count"] == 1
    assert (
        client_for(plant.operator)
        .post(f"{API}/opcua-endpoints/", _endpoint(plant, code="X"), format="json")
        .status_code
        == 403
    )
    assert (
        client_for(plant.planner).post(f"{API}/opcua-endpoints/", _endpoint(plant, code="X"), format="json").status_code
        == 403
    )
    assert supervisor.delete(f"{API}/opcua-nodes/{node.json()['id']}/").status_code == 204


@pytest.mark.parametrize(
    "change, field",
    [
        ({"url": "http://10.0.0.5/"}, "url"),
        ({"url": "opc.tcp://:4840"}, "url"),
        ({"security_mode": "Sign"}, "security_policy"),
        ({"security_policy": "Basic256Sha256"}, "security_policy"),
        ({"security_mode": "Sign", "security_policy": "Basic256Sha256"}, "client_certificate"),
        ({"security_mode": "Paranoid"}, "security_mode"),
        ({"password": "x"}, "username"),
        ({"publishing_interval_ms": 1}, "publishing_interval_ms"),
        ({"publishing_interval_ms": "often"}, "publishing_interval_ms"),
        ({"site": "NOPE"}, "site"),
    ],
)
def test_endpoint_validation_names_the_field(plant, change, field):
    response = client_for(plant.supervisor).post(f"{API}/opcua-endpoints/", _endpoint(plant, **change), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body or body.get("field") == field, body
    assert not OpcUaEndpoint.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"node_id": "ns=2;x=1"}, "node_id"),
        ({"node_id": "Lathe1.Temp"}, "node_id"),
        ({"node_id": ""}, "node_id"),
        ({"node_id": "ns=70000;i=1"}, "node_id"),
        ({"node_id": "ns=2;i=99999999999"}, "node_id"),
        ({"tag": ""}, "tag"),
        ({"tag": "t" * 65}, "tag"),
        ({"carries": "pressure"}, "carries"),
        ({"deadband": -1}, "deadband"),
        ({"equipment": "ELSEWHERE-1"}, "equipment"),
        ({"endpoint": "NOPE"}, "endpoint"),
    ],
)
def test_node_validation_names_the_field(plant, change, field):
    opcua.create_endpoint(user=None, site=plant.site, code="UA-PRESS", url="opc.tcp://10.0.0.5:4840/")
    other = production_plant(prefix="ELSEWHERE")
    assert other.site != plant.site
    body = {"endpoint": "UA-PRESS", "equipment": "UA-LATHE1", "node_id": "ns=2;s=T", "tag": "temp", **change}
    if change.get("equipment") == "ELSEWHERE-1":
        body["equipment"] = other.lathe1.code
    response = client_for(UserFactory(username="uaadmin", roles=["admin"])).post(
        f"{API}/opcua-nodes/", body, format="json"
    )
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body or body.get("field") == field, body
    assert not OpcUaNode.objects.exists()


def test_the_same_node_twice_is_400(plant):
    opcua.create_endpoint(user=None, site=plant.site, code="UA-PRESS", url="opc.tcp://10.0.0.5:4840/")
    body = {"endpoint": "UA-PRESS", "equipment": "UA-LATHE1", "node_id": "ns=2;s=T", "tag": "temp"}
    supervisor = client_for(plant.supervisor)
    assert supervisor.post(f"{API}/opcua-nodes/", body, format="json").status_code == 201
    again = supervisor.post(f"{API}/opcua-nodes/", dict(body, node_id=" ns=2;s=T "), format="json")
    assert again.status_code == 400 and "node_id" in again.json()
    assert supervisor.post(f"{API}/opcua-endpoints/", _endpoint(plant), format="json").status_code == 400


def test_another_sites_endpoint_is_404(plant):
    endpoint = opcua.create_endpoint(user=None, site=plant.site, code="UA-PRESS", url="opc.tcp://10.0.0.5:4840/")
    stranger_site = SiteFactory(code="UAX")
    stranger = client_for(UserFactory(username="uastranger", roles=["supervisor"], sites=[stranger_site]))
    assert stranger.get(f"{API}/opcua-endpoints/{endpoint.pk}/").status_code == 404
    assert stranger.post(f"{API}/opcua-endpoints/{endpoint.pk}/test/").status_code == 404
    assert stranger.get(f"{API}/opcua-endpoints/").json()["count"] == 0
    node = {"endpoint": "UA-PRESS", "equipment": "UA-LATHE1", "node_id": "ns=2;s=T", "tag": "temp"}
    refused = stranger.post(f"{API}/opcua-nodes/", node, format="json")
    assert refused.status_code == 400 and "endpoint" in refused.json()
    # Nor may an endpoint be opened at a site the user does not work at.
    assert stranger.post(f"{API}/opcua-endpoints/", _endpoint(plant, code="UA-2"), format="json").status_code == 400


def test_test_connection_reads_the_nodes_and_describes_failures(plant):
    with plant_server({"Temp": 21.5}) as server:
        endpoint = opcua.create_endpoint(user=None, site=plant.site, code="UA-PRESS", url=server.url)
        for name in ("Temp", "Missing"):
            opcua.create_node(
                user=None, endpoint=endpoint, equipment=plant.lathe1, node_id=server.node_id(name), tag=name.lower()
            )
        result = client_for(plant.supervisor).post(f"{API}/opcua-endpoints/{endpoint.pk}/test/").json()
    assert result["ok"] is True and result["server_state"] == "Running"
    readings = {r["node_id"]: r for r in result["readings"]}
    assert readings[server.node_id("Temp")]["value"] == 21.5 and readings[server.node_id("Temp")]["status"] == "Good"
    assert readings[server.node_id("Missing")]["error"] == "The server has no node with this id."
    gone = opcua.create_endpoint(user=None, site=plant.site, code="UA-GONE", url=f"opc.tcp://127.0.0.1:{free_port()}/")
    failed = client_for(plant.supervisor).post(f"{API}/opcua-endpoints/{gone.pk}/test/").json()
    assert failed["ok"] is False
    assert "Cannot reach" in failed["error"] or "No answer" in failed["error"]
    assert client_for(plant.operator).post(f"{API}/opcua-endpoints/{gone.pk}/test/").status_code == 403
