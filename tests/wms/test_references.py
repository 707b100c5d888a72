"""The records a stock move names by code, read in one statement, and the stock page answered
without per-row field lookups: the same records and the same answers as the ORM and DRF give."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers as drf

from tests.factories import ItemFactory, SiteFactory, UserFactory, kg
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in
from wms.api.serializers.stock import StockSerializer, stock_rows
from wms.models import Bin, StockQuant
from wms.selectors.references import move_references

pytestmark = pytest.mark.django_db

MOVES = "/api/v1/wms/moves/"


@pytest.fixture
def two_sites():
    here, there = SiteFactory(code="R1"), SiteFactory(code="R2")
    zone = ZoneFactory(warehouse=WarehouseFactory(site=here, code="RW1"), kind="raw", code="RRAW")
    far = ZoneFactory(warehouse=WarehouseFactory(site=there, code="RW2"), kind="raw", code="FRAW")
    return {
        "a": BinFactory(zone=zone, aisle="A", rack="01", level="1", position="01"),
        "b": BinFactory(zone=zone, aisle="A", rack="01", level="1", position="02"),
        "far": BinFactory(zone=far, aisle="F", rack="01", level="1", position="01"),
        "user": UserFactory(roles=["warehouse"], sites=[here]),
        "item": ItemFactory(code="REF-1", base_unit=kg(), tracking="lot"),
    }


def test_the_records_are_those_the_orm_loads_with_their_relations(two_sites):
    wanted = [two_sites["a"].code, two_sites["b"].code]
    item, bins = move_references(user=two_sites["user"], item_code="REF-1", bin_codes=wanted)
    assert set(bins) == set(wanted)
    with CaptureQueriesContext(connection) as queries:  # everything the ledger reads is loaded
        assert item.base_unit.code == "kg"
        for code, bin_ in bins.items():
            orm = Bin.objects.select_related("warehouse__site", "zone").get(code=code)
            assert bin_.warehouse.site.code == orm.warehouse.site.code == "R1"
            assert (bin_.zone.kind, bin_.zone.allowed_item_types) == (orm.zone.kind, orm.zone.allowed_item_types)
            assert [getattr(bin_, f.attname) for f in Bin._meta.concrete_fields] == [
                getattr(orm, f.attname) for f in Bin._meta.concrete_fields
            ]
    assert len(queries) == 2  # the two ORM reads to compare with, nothing lazy
    assert item == two_sites["item"] and item.tracking == "lot" and not item._state.adding


def test_another_sites_bin_and_an_unknown_item_are_not_found(two_sites):
    item, bins = move_references(
        user=two_sites["user"], item_code="REF-1", bin_codes=[two_sites["a"].code, two_sites["far"].code]
    )
    assert item is not None and set(bins) == {two_sites["a"].code}
    assert move_references(user=two_sites["user"], item_code="NOPE", bin_codes=[two_sites["a"].code]) == (None, {})
    admin = UserFactory(roles=["admin"])
    _, everywhere = move_references(user=admin, item_code="REF-1", bin_codes=[two_sites["far"].code])
    assert set(everywhere) == {two_sites["far"].code}


def test_the_api_names_every_unknown_code_in_one_answer(two_sites, api_as):
    client = api_as(two_sites["user"])
    both = client.post(
        MOVES,
        {"kind": "transfer", "item": "NOPE", "from_bin": two_sites["a"].code, "to_bin": "NO-BIN", "quantity": "1"},
        format="json",
    )
    assert both.status_code == 400
    assert both.json()["item"] == ["Unknown code 'NOPE'."] and both.json()["to_bin"] == ["Unknown code 'NO-BIN'."]
    assert "from_bin" not in both.json()
    far = client.post(
        MOVES,
        {"kind": "transfer", "item": "REF-1", "from_bin": two_sites["a"].code, "to_bin": two_sites["far"].code},
        format="json",
    )
    assert far.status_code == 400 and far.json()["to_bin"] == [f"Unknown code '{two_sites['far'].code}'."]
    assert "quantity" in far.json()  # the other fields' errors come in the same answer
    odd = client.post(
        MOVES, {"kind": "transfer", "item": ["REF-1"], "to_bin": {"x": 1}, "quantity": "1"}, format="json"
    )
    assert odd.status_code == 400 and set(odd.json()) >= {"item", "to_bin"}


def test_a_transfer_by_code_books_through_the_one_statement(two_sites, api_as):
    lot = LotFactory(item=two_sites["item"], site=two_sites["a"].warehouse.site, code="RL-1")
    stock_in(bin=two_sites["a"], item=two_sites["item"], lot=lot, quantity=Decimal("5"))
    response = api_as(two_sites["user"]).post(
        MOVES,
        {
            "kind": "transfer",
            "item": " REF-1 ",
            "lot": "RL-1",
            "from_bin": two_sites["a"].code,
            "to_bin": two_sites["b"].code,
            "quantity": "2",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["item"], body["site"], body["unit"], body["base_unit"]) == ("REF-1", "R1", "kg", "kg")
    assert StockQuant.objects.get(bin=two_sites["b"], lot=lot).quantity == Decimal("2")


def test_a_page_of_stock_rows_is_answered_as_drf_answers_it(two_sites):
    lot = LotFactory(item=two_sites["item"], site=two_sites["a"].warehouse.site, code="RL-2", expiry="2031-01-31")
    stock_in(bin=two_sites["a"], item=two_sites["item"], lot=lot, quantity=Decimal("1.5"))
    plain = ItemFactory(code="REF-2", tracking="none")
    stock_in(bin=two_sites["b"], item=plain, quantity=Decimal("3"))
    page = list(stock_rows(StockQuant.objects.filter(quantity__gt=0).order_by("id")))
    assert any(row["lot_code"] is None for row in page) and any(row["expiry"] for row in page)
    fast = StockSerializer(page, many=True).data
    slow = drf.ListSerializer(child=StockSerializer(), data=None).to_representation(page)
    assert type(StockSerializer(page, many=True)).__name__ == "RowListSerializer"
    assert fast == slow and len(fast) == 2


def test_fields_built_once_are_drfs_fields_and_each_serializer_binds_its_own():
    import copy

    from wms.api.serializers.stock import StockMoveSerializer

    # The same declaration as a plain ModelSerializer, whose fields DRF builds for each instance.
    declared = {name: copy.deepcopy(field) for name, field in StockMoveSerializer._declared_fields.items()}
    Plain = type("Plain", (drf.ModelSerializer,), {**declared, "Meta": StockMoveSerializer.Meta})
    first, second = StockMoveSerializer(), StockMoveSerializer()
    assert [repr(f) for f in first.fields.values()] == [repr(f) for f in Plain().fields.values()]
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
