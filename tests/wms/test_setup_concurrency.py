"""Bulk bin generation fired twice at once, from separate connections: the bins exist once and
neither request fails."""

import threading

import pytest
from django.db import connection
from django.test import Client

from core.roles import sync_roles
from tests.factories import SiteFactory, UserFactory
from tests.wms.factories import WarehouseFactory, ZoneFactory
from wms.models import Bin

pytestmark = pytest.mark.django_db(transaction=True)


def post_at_once(user, requests: list[tuple[str, dict]]) -> list[int]:
    """POST each (url, body) from its own thread (own client, own connection), released together."""
    statuses: list[int | None] = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def worker(index: int, url: str, body: dict) -> None:
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=30)
            statuses[index] = client.post(url, body).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, url, body)) for i, (url, body) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a request hung (deadlock?)"
    return statuses


def test_the_same_grid_generated_twice_at_once_makes_each_bin_once():
    sync_roles()
    site = SiteFactory(code="GC")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code="WG"), kind="raw", code="RAW")
    user = UserFactory(roles=["warehouse"], sites=[site])
    body = {
        "warehouse": zone.warehouse.pk,
        "zone": zone.pk,
        "aisles": "A-B",
        "racks": "01-05",
        "levels": "1-3",
        "distance_rank": 100,
        "create": "1",
    }

    statuses = post_at_once(user, [("/wms/bins/generate/", body)] * 2)

    assert statuses == [302, 302]
    assert Bin.objects.filter(warehouse=zone.warehouse).count() == 30
    assert len(set(Bin.objects.values_list("pick_sequence", flat=True))) == 30
