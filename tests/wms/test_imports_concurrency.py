"""An import confirmed twice at once, and the same file imported by two jobs at once, on
separate connections: the records exist once, the other request is refused, nothing fails."""

import pytest

from core.models import ImportJob, ImportStatus
from core.roles import sync_roles
from core.services import imports
from tests.factories import SiteFactory, UserFactory
from tests.wms.factories import WarehouseFactory, ZoneFactory
from tests.wms.test_setup_concurrency import post_at_once
from wms.models import Bin

pytestmark = pytest.mark.django_db(transaction=True)

FILE = b"warehouse,zone,aisle,rack,level\nWJ,RAW,A,01,1\nWJ,RAW,A,01,2\nWJ,RAW,A,02,1\n"


@pytest.fixture
def keeper():
    sync_roles()
    site = SiteFactory(code="JC")
    ZoneFactory(warehouse=WarehouseFactory(site=site, code="WJ"), kind="raw", code="RAW")
    return UserFactory(roles=["warehouse"], sites=[site])


def checked_job(user) -> ImportJob:
    # Outside a test transaction the commit hook runs the (eager) task: the dry run is done.
    job = imports.start_import(user=user, site=user.sites.first(), kind="bins", file_name="b.csv", content=FILE)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.errors == []
    return job


def test_the_same_job_confirmed_twice_at_once_imports_once(keeper):
    job = checked_job(keeper)
    statuses = post_at_once(keeper, [(f"/core/imports/{job.pk}/import/", {})] * 2)
    assert statuses == [302, 302]
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.IMPORTED, 3)
    assert Bin.objects.count() == 3


def test_two_jobs_of_one_file_imported_at_once_write_the_bins_once(keeper):
    first, second = checked_job(keeper), checked_job(keeper)
    statuses = post_at_once(keeper, [(f"/core/imports/{job.pk}/import/", {}) for job in (first, second)])
    assert statuses == [302, 302]
    outcomes = sorted(ImportJob.objects.values_list("status", flat=True))
    assert outcomes == [ImportStatus.FAILED, ImportStatus.IMPORTED]
    failed = ImportJob.objects.get(status=ImportStatus.FAILED)
    assert [e["row"] for e in failed.errors] == [2, 3, 4] and failed.created_count == 0
    assert Bin.objects.count() == 3
