"""Saved filters and comments with attachments: the services, the pages, the API, site scoping
and double submits on separate connections."""

import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.models import Comment, SavedFilter
from core.roles import sync_roles
from core.selectors.comments import comment_list
from core.services import comments, saved_filters
from tests.factories import ItemFactory, SiteFactory, UserFactory
from tests.wms.factories import BinFactory, LotFactory, WarehouseFactory, ZoneFactory, stock_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def two_sites(db):
    sync_roles()
    sites = {}
    for code in ("SA", "SB"):
        site = SiteFactory(code=code)
        zone = ZoneFactory(warehouse=WarehouseFactory(site=site, code=f"W{code}"), kind="raw", code=f"R{code}")
        item = ItemFactory(tracking="lot")
        lot = LotFactory(item=item, site=site, code=f"L-{code}")
        bin_ = BinFactory(zone=zone)
        stock_in(bin=bin_, item=item, lot=lot, quantity="5")
        sites[code] = {"site": site, "lot": lot, "bin": bin_, "item": item}
    sites["a_user"] = UserFactory(roles=["warehouse"], sites=[sites["SA"]["site"]])
    sites["b_user"] = UserFactory(roles=["warehouse"], sites=[sites["SB"]["site"]])
    return sites


# --- saved filters -------------------------------------------------------------------------------


def test_a_saved_filter_keeps_the_query_without_paging_and_replaces_by_name(two_sites):
    user = two_sites["a_user"]
    first = saved_filters.save_filter(user=user, path="/wms/lots/", name=" Held  lots ", query="status=on_hold&page=3")
    assert (first.name, first.query) == ("Held lots", "status=on_hold")
    again = saved_filters.save_filter(
        user=user, path="/wms/lots/", name="Held lots", query="status=quarantine&export=csv"
    )
    assert again.pk == first.pk and again.query == "status=quarantine"
    assert SavedFilter.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "name", "query", "field"),
    [
        ("https://evil.example/", "x", "a=1", "path"),
        ("//evil.example/", "x", "a=1", "path"),
        ("/\\evil.example/", "x", "a=1", "path"),
        ("/wms/lots/", "", "a=1", "name"),
        ("/wms/lots/", "x" * 81, "a=1", "name"),
        ("/wms/lots/", "x", "page=2", "query"),
    ],
)
def test_a_bad_saved_filter_is_refused_on_its_field(two_sites, path, name, query, field):
    with pytest.raises(ValidationFailed) as refused:
        saved_filters.save_filter(user=two_sites["a_user"], path=path, name=name, query=query)
    assert refused.value.field == field


def test_saved_filters_are_the_users_own(client, two_sites):
    mine = saved_filters.save_filter(user=two_sites["a_user"], path="/wms/lots/", name="Mine", query="status=on_hold")
    client.force_login(two_sites["b_user"])
    assert "Mine" not in client.get(reverse("wms:lot-list")).content.decode()
    assert client.post(reverse("saved-filter-delete", args=[mine.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=mine.pk).exists()


def test_the_filter_bar_saves_and_offers_a_filter(client, two_sites):
    client.force_login(two_sites["a_user"])
    response = client.post(
        reverse("saved-filter-save"), {"path": "/wms/lots/", "query": "status=available", "name": "Usable"}
    )
    assert response.status_code == 302 and response["Location"] == "/wms/lots/?status=available"
    page = client.get("/wms/lots/?status=available").content.decode()
    assert "Usable" in page and 'aria-current="true"' in page
    refused = client.post(reverse("saved-filter-save"), {"path": "/wms/lots/", "query": "", "name": "Nothing"})
    assert refused.status_code == 400
    assert "Set a filter before saving it." in refused.content.decode()


# --- comments -----------------------------------------------------------------------------------


def test_a_comment_with_a_file_is_seen_at_its_site_only(two_sites):
    lot = two_sites["SA"]["lot"]
    comment = comments.add_comment(
        user=two_sites["a_user"],
        label="wms.lot",
        pk=lot.pk,
        body="Bag torn",
        upload=SimpleUploadedFile("torn.png", PNG),
    )
    assert (
        comment.site == two_sites["SA"]["site"] and comment.file_type == "image/png" and comment.file_size == len(PNG)
    )
    assert comment.file.name.endswith(f"{comment.key}.png") and "torn" not in comment.file.name
    with pytest.raises(NotFound):
        comments.add_comment(user=two_sites["b_user"], label="wms.lot", pk=lot.pk, body="not mine")
    assert list(comment_list(user=two_sites["a_user"])) == [comment]
    assert list(comment_list(user=two_sites["b_user"])) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.exe", b"MZ", "cannot be attached"),
        ("x.pdf", b"GIF89a", "not what its name says"),
        ("x.csv", "naïve;ü".encode("latin-1"), "UTF-8"),
        ("x.txt", b"", "empty"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused(two_sites, name, content, message):
    with pytest.raises(ValidationFailed) as refused:
        comments.add_comment(
            user=two_sites["a_user"],
            label="wms.lot",
            pk=two_sites["SA"]["lot"].pk,
            upload=SimpleUploadedFile(name, content),
        )
    assert refused.value.field == "file" and message in str(refused.value.message)
    assert not Comment.objects.exists()


def test_a_file_over_the_limit_is_refused(two_sites, settings):
    settings.COMMENT_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationFailed) as refused:
        comments.add_comment(
            user=two_sites["a_user"],
            label="wms.lot",
            pk=two_sites["SA"]["lot"].pk,
            upload=SimpleUploadedFile("big.txt", b"a" * 1001),
        )
    assert refused.value.field == "file"


def test_only_the_author_deletes_a_comment(two_sites):
    lot = two_sites["SA"]["lot"]
    comment = comments.add_comment(user=two_sites["a_user"], label="wms.lot", pk=lot.pk, body="mine")
    colleague = UserFactory(roles=["warehouse"], sites=[two_sites["SA"]["site"]])
    with pytest.raises(PermissionDenied):
        comments.delete_comment(user=colleague, comment=comment)
    comments.delete_comment(user=two_sites["a_user"], comment=comment)
    assert not Comment.objects.exists()


def test_the_lot_page_shows_and_takes_comments_and_serves_the_file(client, two_sites):
    lot = two_sites["SA"]["lot"]
    client.force_login(two_sites["a_user"])
    url = reverse("wms:lot-detail", args=[lot.pk])
    page = client.get(url)
    assert "Comments and files" in page.content.decode()
    response = client.post(
        reverse("comment-add"),
        {
            "record": f"wms.lot:{lot.pk}",
            "body": "Re-labelled",
            "next": url,
            "file": SimpleUploadedFile("n.txt", b"note"),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{url}#comments"
    comment = Comment.objects.get()
    assert "Re-labelled" in client.get(url).content.decode()
    download = client.get(reverse("comment-file", args=[comment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"note"
    assert "attachment" in download["Content-Disposition"]
    client.force_login(two_sites["b_user"])
    assert client.get(reverse("comment-file", args=[comment.pk])).status_code == 404


def _record(label, sites):
    from datetime import date

    from tests.wms.factories import ExpectedReceiptFactory, PickListFactory
    from wms.models import CountTask

    site, a = sites["SA"]["site"], sites["SA"]
    if label == "wms.bin":
        return a["bin"]
    if label == "core.item":
        return a["item"]
    if label == "wms.expectedreceipt":
        return ExpectedReceiptFactory(site=site)
    if label == "wms.picklist":
        return PickListFactory(site=site)
    if label == "wms.counttask":
        return CountTask.objects.create(site=site, bin=a["bin"], item=a["item"], lot=a["lot"], due_date=date.today())
    from tests.mes.factories import production_plant, released_order

    return released_order(production_plant(site))


@pytest.mark.parametrize(
    "label", ["wms.bin", "wms.expectedreceipt", "wms.picklist", "wms.counttask", "core.item", "mes.workorder"]
)
def test_each_kind_of_record_takes_comments_seen_at_its_site(two_sites, label):
    record = _record(label, two_sites)
    supervisor = UserFactory(roles=["supervisor"], sites=[two_sites["SA"]["site"]])
    comment = comments.add_comment(user=supervisor, label=label, pk=record.pk, body="ok")
    assert comment.record == record and comment in comment_list(user=supervisor)

    # Items are shared by every site; the others belong to site SA.
    assert (comment in comment_list(user=two_sites["b_user"])) is (label == "core.item")


def test_the_comments_api(two_sites):
    lot = two_sites["SA"]["lot"]
    api = APIClient()
    api.force_authenticate(two_sites["a_user"])
    created = api.post(
        "/api/v1/core/comments/",
        {"record": f"wms.lot:{lot.pk}", "body": "From the scanner", "file": SimpleUploadedFile("p.pdf", b"%PDF-1.4 x")},
        format="multipart",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (
        body["record"] == f"wms.lot:{lot.pk}"
        and body["file_name"] == "p.pdf"
        and body["author"] == two_sites["a_user"].username
    )
    listed = api.get("/api/v1/core/comments/", {"record": f"wms.lot:{lot.pk}"}).json()
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    assert api.get(body["file_url"]).status_code == 200
    assert api.post("/api/v1/core/comments/", {"record": "wms.lot:x"}, format="json").status_code == 400
    assert api.post("/api/v1/core/comments/", {"record": f"wms.lot:{lot.pk}"}, format="json").status_code == 400
    other = APIClient()
    other.force_authenticate(two_sites["b_user"])
    assert other.get(f"/api/v1/core/comments/{body['id']}/").status_code == 404
    assert (
        other.post("/api/v1/core/comments/", {"record": f"wms.lot:{lot.pk}", "body": "x"}, format="json").status_code
        == 404
    )
    assert api.delete(f"/api/v1/core/comments/{body['id']}/").status_code == 204


def test_the_saved_filters_api(two_sites):
    api = APIClient()
    api.force_authenticate(two_sites["a_user"])
    body = {"path": "/wms/moves/", "name": "Receipts", "query": "kind=receipt"}
    assert api.post("/api/v1/core/saved-filters/", body, format="json").status_code == 201
    assert api.post("/api/v1/core/saved-filters/", {**body, "path": "//x"}, format="json").status_code == 400
    assert [f["name"] for f in api.get("/api/v1/core/saved-filters/", {"path": "/wms/moves/"}).json()["results"]] == [
        "Receipts"
    ]


# --- at once, on separate connections -------------------------------------------------------------


def _at_once(user, calls):
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def worker(index, call):
        try:
            api = APIClient()
            api.force_authenticate(user)
            barrier.wait(timeout=30)
            results[index] = call(api)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(r is not None for r in results), "a thread died without an answer"
    return results


@pytest.mark.django_db(transaction=True)
def test_saving_the_same_filter_twice_at_once_leaves_one():
    sync_roles()
    user = UserFactory(roles=["warehouse"])
    body = {"path": "/wms/lots/", "name": "Held", "query": "status=on_hold"}
    results = _at_once(user, [lambda api: api.post("/api/v1/core/saved-filters/", body, format="json")] * 4)
    assert [r.status_code for r in results] == [201] * 4
    assert SavedFilter.objects.filter(user=user).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_comment_sent_twice_at_once_is_added_once():
    sync_roles()
    site = SiteFactory(code="SC")
    lot = LotFactory(item=ItemFactory(tracking="lot"), site=site)
    user = UserFactory(roles=["warehouse"], sites=[site])
    body = {"record": f"wms.lot:{lot.pk}", "body": "Sent twice", "key": str(uuid.uuid4())}
    results = _at_once(user, [lambda api: api.post("/api/v1/core/comments/", body, format="json")] * 4)
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.json()["id"] for r in results}) == 1
    assert Comment.objects.count() == 1
    # Different comments at once are all kept.
    results = _at_once(
        user,
        [
            lambda api, n=n: api.post(
                "/api/v1/core/comments/", {"record": f"wms.lot:{lot.pk}", "body": f"#{n}"}, format="json"
            )
            for n in range(3)
        ],
    )
    assert [r.status_code for r in results] == [201] * 3 and Comment.objects.count() == 4
