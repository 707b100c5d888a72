"""Importing bins and opening stock from a file: checked with the API's serializers, written
through the same services (opening stock through the ledger, as "opening balance" adjustments)."""

from decimal import Decimal

import pytest

from core.models import ImportStatus
from core.services import imports
from tests.factories import ItemFactory, SiteFactory, UserFactory, kg
from tests.wms.factories import BinFactory, WarehouseFactory, ZoneFactory
from wms.models import Bin, StockMove, StockQuant

pytestmark = pytest.mark.django_db


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def site():
    return SiteFactory(code="IW")


@pytest.fixture
def zone(site):
    return ZoneFactory(warehouse=WarehouseFactory(site=site, code="WI"), kind="raw", code="RAW")


@pytest.fixture
def keeper(site):
    return UserFactory(roles=["warehouse"], sites=[site])


def checked(user, site, kind, content):
    job = imports.start_import(user=user, site=site, kind=kind, file_name="f.csv", content=content)
    return imports.run_job(job_id=job.pk)


def imported(user, job):
    imports.confirm_import(job=job, user=user)
    return imports.run_job(job_id=job.pk)


def test_bins_are_checked_then_imported(keeper, site, zone):
    content = csv_bytes(
        "warehouse,zone,aisle,rack,level,max_lots",
        "WI,RAW,A,01,1,4",
        "WI,RAW,A,01,2,",
    )
    job = checked(keeper, site, "bins", content)
    assert job.errors == [] and not Bin.objects.exists()
    job = imported(keeper, job)
    assert job.status == ImportStatus.IMPORTED
    assert sorted(Bin.objects.values_list("code", "max_lots")) == [("WI-A-01-1", 4), ("WI-A-01-2", None)]


def test_bin_rows_with_errors_are_all_listed(keeper, site, zone):
    BinFactory(zone=zone, aisle="B", rack="01", level="1", position="", code="WI-B-01-1")
    other_site = WarehouseFactory(site=SiteFactory(code="IX"), code="WX")
    ZoneFactory(warehouse=other_site, code="RAW")
    content = csv_bytes(
        "warehouse,zone,aisle,rack,level,max_lots",
        "WI,RAW,A,01,1,many",  # bad number
        "WI,NOPE,A,01,2,",  # unknown zone
        "WI,RAW,B,01,1,",  # exists
        "WI,RAW,C,01,1,",
        "WI,RAW,c,01,1,",  # the same code again
        "WX,RAW,A,01,1,",  # another site's warehouse
        "WI,RAW,A,,3,",  # a gap
    )
    job = checked(keeper, site, "bins", content)
    assert [(e["row"], e["column"]) for e in job.errors] == [
        (2, "max_lots"),
        (3, "zone"),
        (4, "aisle"),
        (6, "aisle"),
        (7, "warehouse"),
        (8, "level"),
    ]
    assert "row 5" in job.errors[3]["message"]
    assert Bin.objects.count() == 1


def test_opening_stock_posts_opening_balance_adjustments(keeper, site, zone):
    bin_ = BinFactory(zone=zone)
    steel = ItemFactory(code="OS-STEEL", base_unit=kg(), tracking="lot")
    content = csv_bytes("item,bin,lot,quantity,unit,expiry", f"OS-STEEL,{bin_.code},L-1,120.5,kg,2027-01-31")
    job = imported(keeper, checked(keeper, site, "opening_stock", content))
    assert job.status == ImportStatus.IMPORTED
    move = StockMove.objects.get(item=steel)
    assert (move.kind, move.reason, move.quantity, move.to_bin) == (
        "adjustment",
        "opening balance",
        Decimal("120.5"),
        bin_,
    )
    assert move.lot.code == "L-1" and str(move.lot.expiry) == "2027-01-31"
    assert StockQuant.objects.get(item=steel, bin=bin_).quantity == Decimal("120.5")


def test_opening_stock_errors_are_listed_and_nothing_is_posted(keeper, site, zone):
    bin_ = BinFactory(zone=zone)
    ItemFactory(code="OS-A", base_unit=kg())
    content = csv_bytes(
        "item,bin,quantity,unit",
        f"OS-A,{bin_.code},10,kg",
        f"OS-NONE,{bin_.code},5,kg",  # unknown item
        f"OS-A,{bin_.code},lots,kg",  # bad number
        f"OS-A,{bin_.code},5,furlong",  # unknown unit
        "OS-A,WI-NOWHERE,5,kg",  # unknown bin
    )
    job = checked(keeper, site, "opening_stock", content)
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "item"), (4, "quantity"), (5, "unit"), (6, "bin")]
    assert not StockMove.objects.exists()


def test_opening_stock_refused_by_the_ledger_is_reported_on_its_row(keeper, site, zone):
    bin_ = BinFactory(zone=zone, blocked=True, blocked_reason="rack damaged")
    ItemFactory(code="OS-B", base_unit=kg())
    job = checked(keeper, site, "opening_stock", csv_bytes("item,bin,quantity", f"OS-B,{bin_.code},3"))
    assert [e["row"] for e in job.errors] == [2]
    assert not StockMove.objects.exists()
