"""The OPC UA setup pages: a supervisor sets up an endpoint and its nodes through the forms (bad
input shown on the form with a 400, the password kept when left blank), the test connection
reads a real asyncua server, and other sites' endpoints and other roles stay out."""

import pytest
from django.test import Client

from bench._server import free_port
from mes.models import OpcUaEndpoint, OpcUaNode
from mes.services import opcua
from tests.factories import UserFactory
from tests.mes.factories import PASSWORD, production_plant
from tests.mes.opcua_helpers import plant_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant():
    return production_plant(prefix="UV")


def client_for(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _form(plant, **extra):
    data = {
        "site": plant.site.pk,
        "code": "UV-PRESS",
        "name": "Press hall",
        "url": "opc.tcp://10.0.0.5:4840/",
        "security_mode": "None",
        "security_policy": "None",
        "username": "mes",
        "password": "s3cret",
        "enabled": "on",
        "publishing_interval_ms": 500,
    }
    return dict(data, **extra)


def test_supervisor_sets_up_an_endpoint_and_its_nodes(plant):
    supervisor = client_for(plant.supervisor)
    assert supervisor.get("/mes/opcua-endpoints/").status_code == 200
    assert supervisor.get("/mes/opcua-endpoints/new/").status_code == 200
    bad = supervisor.post("/mes/opcua-endpoints/new/", _form(plant, url="http://press/"))
    assert bad.status_code == 400 and "opc.tcp://host:port" in bad.content.decode()
    created = supervisor.post("/mes/opcua-endpoints/new/", _form(plant))
    assert created.status_code == 302, created.content.decode()[:2000]
    endpoint = OpcUaEndpoint.objects.get(code="UV-PRESS")
    edited = supervisor.post(f"/mes/opcua-endpoints/{endpoint.pk}/edit/", _form(plant, password="", name="Presses"))
    assert edited.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "Presses" and opcua.open_password(endpoint.password_sealed) == "s3cret"
    page = supervisor.get(f"/mes/opcua-endpoints/{endpoint.pk}/").content.decode()
    assert "s3cret" not in page and "Test connection" in page
    node = {
        "endpoint": endpoint.pk,
        "equipment": plant.lathe1.pk,
        "node_id": "ns=2;x=1",
        "carries": "value",
        "tag": "t",
    }
    refused = supervisor.post("/mes/opcua-nodes/new/", node)
    assert refused.status_code == 400 and "Not an OPC UA node id" in refused.content.decode()
    assert supervisor.post("/mes/opcua-nodes/new/", dict(node, node_id="ns=2;s=Lathe1.Temp")).status_code == 302
    assert "ns=2;s=Lathe1.Temp" in supervisor.get(f"/mes/opcua-endpoints/{endpoint.pk}/").content.decode()
    assert OpcUaNode.objects.filter(endpoint=endpoint).count() == 1


def test_test_connection_page_shows_values_and_failures(plant):
    supervisor = client_for(plant.supervisor)
    with plant_server({"Temp": 64.5}) as server:
        endpoint = opcua.create_endpoint(user=None, site=plant.site, code="UV-PRESS", url=server.url)
        opcua.create_node(user=None, endpoint=endpoint, equipment=plant.lathe1, node_id=server.node_id("Temp"), tag="t")
        page = supervisor.post(f"/mes/opcua-endpoints/{endpoint.pk}/test/").content.decode()
    assert "The server is Running" in page and "64.5" in page
    gone = opcua.create_endpoint(user=None, site=plant.site, code="UV-GONE", url=f"opc.tcp://127.0.0.1:{free_port()}/")
    page = supervisor.post(f"/mes/opcua-endpoints/{gone.pk}/test/").content.decode()
    assert "Cannot reach" in page or "No answer" in page


def test_other_roles_and_sites_stay_out(plant):
    endpoint = opcua.create_endpoint(user=None, site=plant.site, code="UV-PRESS", url="opc.tcp://10.0.0.5:4840/")
    operator = client_for(plant.operator)
    assert operator.get("/mes/opcua-endpoints/new/").status_code == 403
    assert operator.post(f"/mes/opcua-endpoints/{endpoint.pk}/test/").status_code == 403
    stranger = client_for(production_plant(prefix="UW").supervisor)
    assert stranger.get(f"/mes/opcua-endpoints/{endpoint.pk}/").status_code == 404
    assert stranger.post(f"/mes/opcua-endpoints/{endpoint.pk}/test/").status_code == 404
    assert "UV-PRESS" not in stranger.get("/mes/opcua-endpoints/").content.decode()
    admin = client_for(UserFactory(username="uvadmin", roles=["admin"], password=PASSWORD))
    assert "UV-PRESS" in admin.get("/mes/opcua-endpoints/").content.decode()
