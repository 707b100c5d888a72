"""SPC actions fired twice at once on separate connections: one effect, no 5xx."""

import threading

import pytest
from django.db import connection

from core.models import Event
from core.roles import sync_roles
from mes.models import Alert
from qms.models import Characteristic, ControlLimits
from qms.services import spc_monitor
from tests.factories import SiteFactory, UserFactory
from tests.mes.factories import EquipmentFactory, WorkCentreFactory
from tests.qms.factories import CharacteristicFactory
from tests.qms.spc_data import in_control, record

pytestmark = pytest.mark.django_db(transaction=True)


def twice_at_once(action) -> list:
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - the test reports what a thread hit
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an evaluation hung (deadlock?)"
    return results


@pytest.fixture
def line():
    sync_roles()
    site = SiteFactory(code="QC1")
    machine = EquipmentFactory(work_centre=WorkCentreFactory(site=site, code="QC-WC"), code="QC-LATHE")
    characteristic = CharacteristicFactory(nelson_rules=[1])
    keys = record(characteristic, site, in_control(25), equipment=machine)
    return {"site": site, "machine": machine, "characteristic": characteristic, "keys": keys}


def test_the_same_new_subgroup_evaluated_twice_at_once_alerts_once(line):
    site, machine = line["site"], line["machine"]
    characteristic = line["characteristic"]
    (key,) = record(characteristic, site, [[74.05] * 5], first=25, equipment=machine)

    def evaluate():
        fresh = Characteristic.objects.select_related("item").get(pk=characteristic.pk)
        return spc_monitor.evaluate_new(characteristic=fresh, site=site, since_subgroup=key)

    results = twice_at_once(evaluate)
    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(len(r) for r in results) == [0, 1]
    assert Alert.objects.filter(status="raised").count() == 1
    assert Event.objects.filter(name="qms.spc.violation").count() == 1


def test_limits_set_twice_at_once_leave_one_active_set_and_no_error(line):
    from rest_framework.test import APIClient

    quality = UserFactory(username="qc-quality", roles=["quality"], sites=[line["site"]])
    keys = line["keys"]
    body = {"site": "QC1", "first_subgroup": keys[0], "last_subgroup": keys[19], "password": "correct-horse-battery"}
    url = f"/api/v1/qms/spc/{line['characteristic'].pk}/limits/"

    def post():
        client = APIClient()
        client.force_authenticate(quality)
        return client.post(url, body, format="json").status_code

    assert twice_at_once(post) == [201, 201]
    assert ControlLimits.objects.count() == 2
    assert ControlLimits.objects.filter(active=True).count() == 1
