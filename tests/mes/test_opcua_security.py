"""Signed and encrypted OPC UA sessions against a real asyncua server that offers only
Basic256Sha256 / Aes128Sha256RsaOaep, trusts only listed client certificates and takes only its
users: the configuration is checked at the edge (400 with the field, the private key never
echoed), values arrive once over Sign and SignAndEncrypt with a user name and password, and an
untrusted certificate or a wrong password is named on the test connection page and in the
connector, which keeps retrying with backoff until the configuration is right."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.errors import ValidationFailed
from mes.ingest import opcua as ingest
from mes.models import OpcUaEndpoint, TelemetrySample
from mes.services import opcua
from tests.mes.factories import PASSWORD, production_plant
from tests.mes.ingest_helpers import unique
from tests.mes.ingest_helpers import wait_until as _wait_until
from tests.mes.opcua_helpers import CLIENT_URI, connector, make_identity, plant_server

API = "/api/v1/mes"
USERS = {"mes": "s3cret"}


def wait_until(condition, timeout: float = 45.0):
    return _wait_until(condition, timeout=timeout)


@pytest.fixture(scope="module")
def identities():
    """Server, client and a stranger's certificates (RSA key generation takes a moment)."""
    return {
        "server": make_identity("Plant server", "urn:factory:test:server", server=True),
        "client": make_identity("Factory MES", CLIENT_URI),
        "stranger": make_identity("Someone else", CLIENT_URI),
    }


def _secured(site, server, client_identity, *, mode="SignAndEncrypt", policy="Basic256Sha256", **extra):
    data = {
        "username": "mes",
        "password": "s3cret",
        "client_certificate": client_identity.certificate,
        "client_private_key": client_identity.private_key,
    }
    data.update(extra)
    return opcua.create_endpoint(
        user=None,
        site=site,
        code=unique("US"),
        url=server.url,
        security_mode=mode,
        security_policy=policy,
        publishing_interval_ms=50,
        **data,
    )


# --- the configuration, checked at the edge ------------------------------------------------------


@pytest.mark.django_db
def test_security_settings_are_checked_with_the_field_named(identities, settings):
    settings.OPCUA_CLIENT_CERTIFICATE = settings.OPCUA_CLIENT_PRIVATE_KEY = ""
    plant = production_plant(prefix=unique("UQ"))
    client, stranger = identities["client"], identities["stranger"]
    base = {"user": None, "site": plant.site, "url": "opc.tcp://10.0.0.5:4840/"}

    def refused(field, **data):
        with pytest.raises(ValidationFailed) as caught:
            opcua.create_endpoint(code=unique("UQ"), **base, **data)
        assert caught.value.field == field, caught.value
        return str(caught.value)

    refused("security_policy", security_mode="Sign", security_policy="None")
    refused("security_policy", security_mode="None", security_policy="Basic256Sha256")
    assert "client certificate" in refused("client_certificate", security_mode="Sign", security_policy="Basic256Sha256")
    assert "PEM" in refused(
        "client_certificate", client_certificate="not a certificate", client_private_key=client.private_key
    )
    assert "PEM" in refused(
        "client_private_key", client_certificate=client.certificate, client_private_key="-----BEGIN PRIVATE KEY-----"
    )
    refused("client_private_key", client_certificate=client.certificate)
    refused("client_certificate", client_private_key=client.private_key)
    assert "does not belong" in refused(
        "client_private_key", client_certificate=client.certificate, client_private_key=stranger.private_key
    )
    refused("server_certificate", server_certificate="-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
    made = opcua.create_endpoint(
        code=unique("UQ"),
        security_mode="Sign",
        security_policy="Basic256Sha256",
        client_certificate=client.certificate,
        client_private_key=client.private_key,
        server_certificate=identities["server"].certificate,
        **base,
    )
    assert made.has_client_key and "PRIVATE KEY" not in made.client_private_key_sealed
    assert opcua.open_password(made.client_private_key_sealed).strip() == client.private_key.strip()


@pytest.mark.django_db
def test_api_refuses_bad_pems_and_never_shows_the_private_key(identities, settings):
    settings.OPCUA_CLIENT_CERTIFICATE = settings.OPCUA_CLIENT_PRIVATE_KEY = ""
    plant = production_plant(prefix=unique("UR"))
    api = APIClient()
    api.force_authenticate(plant.supervisor)
    client = identities["client"]
    body = {
        "site": plant.site.code,
        "code": unique("UR"),
        "url": "opc.tcp://10.0.0.5:4840/",
        "security_mode": "SignAndEncrypt",
        "security_policy": "Basic256Sha256",
    }
    missing = api.post(f"{API}/opcua-endpoints/", body, format="json")
    assert missing.status_code == 400 and "client_certificate" in missing.json(), missing.json()
    bad = api.post(
        f"{API}/opcua-endpoints/",
        dict(body, client_certificate="garbage", client_private_key=client.private_key),
        format="json",
    )
    assert bad.status_code == 400 and "client_certificate" in bad.json(), bad.json()
    created = api.post(
        f"{API}/opcua-endpoints/",
        dict(body, client_certificate=client.certificate, client_private_key=client.private_key),
        format="json",
    )
    assert created.status_code == 201, created.json()
    shown = api.get(f"{API}/opcua-endpoints/{created.json()['id']}/").json()
    assert shown["has_client_key"] is True and "client_private_key" not in shown
    assert "PRIVATE KEY" not in str(shown) and shown["client_certificate"].startswith("-----BEGIN CERTIFICATE")
    # A change without the key keeps it; a key of another certificate is refused.
    kept = api.patch(f"{API}/opcua-endpoints/{shown['id']}/", {"name": "Press hall"}, format="json")
    assert kept.status_code == 200 and kept.json()["has_client_key"] is True
    other = api.patch(
        f"{API}/opcua-endpoints/{shown['id']}/",
        {"client_private_key": identities["stranger"].private_key},
        format="json",
    )
    assert other.status_code == 400 and "client_private_key" in other.json(), other.json()
    stored = OpcUaEndpoint.objects.get(pk=shown["id"])
    assert opcua.open_password(stored.client_private_key_sealed).strip() == client.private_key.strip()


@pytest.mark.django_db
def test_desk_form_shows_certificate_errors_and_keeps_the_key(identities, settings):
    settings.OPCUA_CLIENT_CERTIFICATE = settings.OPCUA_CLIENT_PRIVATE_KEY = ""
    plant = production_plant(prefix=unique("UF"))
    desk = Client()
    assert desk.login(username=plant.supervisor.username, password=PASSWORD)
    code = unique("UF")
    form = {
        "site": plant.site.pk,
        "code": code,
        "url": "opc.tcp://10.0.0.5:4840/",
        "security_mode": "Sign",
        "security_policy": "Basic256Sha256",
        "publishing_interval_ms": 500,
        "enabled": "on",
    }
    client = identities["client"]
    refused = desk.post(
        "/mes/opcua-endpoints/new/", dict(form, client_certificate="nope", client_private_key=client.private_key)
    )
    assert refused.status_code == 400 and "Not a PEM certificate" in refused.content.decode()
    key_refused = desk.post(
        "/mes/opcua-endpoints/new/", dict(form, client_certificate=client.certificate, client_private_key="x")
    )
    assert key_refused.status_code == 400 and "Not an unencrypted PEM private key" in key_refused.content.decode()
    created = desk.post(
        "/mes/opcua-endpoints/new/",
        dict(form, client_certificate=client.certificate, client_private_key=client.private_key),
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    endpoint = OpcUaEndpoint.objects.get(code=code)
    edit = desk.get(f"/mes/opcua-endpoints/{endpoint.pk}/edit/").content.decode()
    assert "PRIVATE KEY" not in edit and "Remove the client certificate" in edit
    kept = desk.post(
        f"/mes/opcua-endpoints/{endpoint.pk}/edit/", dict(form, client_certificate=client.certificate, name="Presses")
    )
    assert kept.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.name == "Presses" and endpoint.has_client_key
    assert "PRIVATE KEY" not in desk.get(f"/mes/opcua-endpoints/{endpoint.pk}/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_key_changes_at_once_leave_one_valid_key(identities):
    plant = production_plant(prefix=unique("UT"))
    client = identities["client"]
    endpoint = opcua.create_endpoint(user=None, site=plant.site, code=unique("UT"), url="opc.tcp://10.0.0.5:4840/")

    def change(_):
        try:
            record = OpcUaEndpoint.objects.get(pk=endpoint.pk)
            opcua.update_endpoint(
                endpoint=record,
                user=None,
                data={"client_certificate": client.certificate, "client_private_key": client.private_key},
            )
            return "ok"
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        assert list(pool.map(change, range(2))) == ["ok", "ok"]
    endpoint.refresh_from_db()
    assert endpoint.has_client_key and endpoint.client_certificate == client.certificate.strip()


# --- real sessions -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("mode", "policy"),
    [("Sign", "Basic256Sha256"), ("SignAndEncrypt", "Basic256Sha256"), ("SignAndEncrypt", "Aes128Sha256RsaOaep")],
)
def test_signed_sessions_with_a_user_deliver_each_value_once(identities, mode, policy):
    plant = production_plant(prefix=unique("UE"))
    security = {"identity": identities["server"], "trusted": [identities["client"].certificate], "users": USERS}
    with plant_server({"Temp": 20.5}, **security) as server:
        endpoint = _secured(
            plant.site,
            server,
            identities["client"],
            mode=mode,
            policy=policy,
            server_certificate=identities["server"].certificate,
        )
        opcua.create_node(
            user=None, endpoint=endpoint, equipment=plant.lathe1, node_id=server.node_id("Temp"), tag="temperature"
        )
        probe = opcua.test_endpoint(endpoint=endpoint, user=None)
        assert probe.ok, probe.error
        assert [r.value for r in probe.readings] == [20.5]
        with connector(site=plant.site.code) as runner:
            samples = TelemetrySample.objects.filter(equipment=plant.lathe1, tag="temperature")
            wait_until(lambda: samples.filter(value=20.5).exists())
            server.write("Temp", 42.25)
            wait_until(lambda: samples.filter(value=42.25).exists())
            assert runner.failures == {}
    assert sorted(samples.values_list("value", flat=True)) == [20.5, 42.25]
    assert server.refused == 0


@pytest.mark.django_db(transaction=True)
def test_untrusted_certificate_and_wrong_password_are_named_and_retried(identities):
    plant = production_plant(prefix=unique("UX"))
    security = {"identity": identities["server"], "trusted": [identities["client"].certificate], "users": USERS}
    with plant_server({"Temp": 7.5}, **security) as server:
        stranger = _secured(plant.site, server, identities["stranger"])
        wrong = _secured(plant.site, server, identities["client"], password="guess")
        for endpoint in (stranger, wrong):
            opcua.create_node(
                user=None, endpoint=endpoint, equipment=plant.lathe1, node_id=server.node_id("Temp"), tag="t"
            )
        untrusted = opcua.test_endpoint(endpoint=stranger, user=None, timeout=3.0)
        assert not untrusted.ok and "refused" in untrusted.error, untrusted.error
        assert server.refused >= 1
        denied = opcua.test_endpoint(endpoint=wrong, user=None, timeout=3.0)
        assert not denied.ok and "BadUserAccessDenied" in denied.error, denied.error
        desk = Client()
        assert desk.login(username=plant.supervisor.username, password=PASSWORD)
        page = desk.post(f"/mes/opcua-endpoints/{wrong.pk}/test/").content.decode()
        assert "BadUserAccessDenied" in page and "check the security settings and the user" in page
        samples = TelemetrySample.objects.filter(equipment=plant.lathe1, tag="t")
        with connector(site=plant.site.code, reload_seconds=0.5) as runner:
            wait_until(lambda: runner.failed_attempts.get(stranger.pk, 0) >= 2)
            wait_until(lambda: runner.failed_attempts.get(wrong.pk, 0) >= 2)
            assert "refused" in runner.failures[stranger.pk]
            assert "BadUserAccessDenied" in runner.failures[wrong.pk]
            assert runner.connected == set() and not samples.exists()
            # The right password: the connector picks it up at its next reading and connects.
            opcua.update_endpoint(endpoint=wrong, user=None, data={"password": "s3cret"})
            wait_until(lambda: wrong.pk in runner.connected)
            wait_until(lambda: samples.filter(value=7.5).exists())
            assert stranger.pk not in runner.connected and wrong.pk not in runner.failures
    assert samples.count() == 1


def test_failures_are_described_for_people():
    from asyncua import ua

    text = ingest.describe_failure(ua.UaStatusCodeError(ua.StatusCodes.BadCertificateUntrusted), "opc.tcp://x/", 1)
    assert "BadCertificateUntrusted" in text and "check the security settings" in text


@pytest.mark.django_db(transaction=True)
def test_secure_simulator_is_read_over_sign_and_encrypt():
    from bench._server import free_port
    from mes.simulator import PlantSimulator
    from mes.simulator_opcua import OpcUaPlantServer, set_up_endpoints

    plant = production_plant(prefix=unique("UD"))
    simulator = PlantSimulator(site_codes=[plant.site.code], seed=7)
    server = OpcUaPlantServer(port=free_port(), host="127.0.0.1", secure=True)
    server.start([machine.topic.rsplit("/", 1)[-1] for machine in simulator.machines])
    try:
        server.apply(simulator.step(timezone.now()))
        (endpoint,) = set_up_endpoints(url=server.url, site_codes=[plant.site.code], namespace=server.ns, server=server)
        assert endpoint.security_mode == "SignAndEncrypt" and endpoint.has_client_key
        # The server takes no unsecured session: the same endpoint without security is refused.
        plain = opcua.create_endpoint(user=None, site=plant.site, code=unique("UD"), url=server.url)
        assert not opcua.test_endpoint(endpoint=plain, user=None, timeout=3.0).ok
        with connector(site=plant.site.code):
            wait_until(lambda: TelemetrySample.objects.filter(equipment=plant.lathe1, tag="temperature").exists())
    finally:
        server.stop()


def test_session_config_keeps_secrets_out_of_its_repr():
    config = ingest.SessionConfig(1, "UA", "opc.tcp://x/", "Sign", "Basic256Sha256", "mes", "s3cret", 50, (), "C", "K")
    assert "s3cret" not in repr(config) and "'K'" not in repr(config) and "mes" in repr(config)
