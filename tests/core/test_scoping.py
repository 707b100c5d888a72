"""Site scoping: a user of site A never reads or changes site B, in the API and on the pages alike."""

import pytest
from django.urls import reverse

from core.selectors import master_data as selectors
from tests.factories import CompanyFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_sites():
    company = CompanyFactory(code="CO")
    return SiteFactory(code="A1", company=company), SiteFactory(code="B1", company=company)


@pytest.fixture
def user_a(two_sites):
    return UserFactory(username="at-a", roles=["supervisor"], sites=[two_sites[0]])


def test_api_answers_404_for_another_sites_record(api_as, user_a, two_sites):
    site_a, site_b = two_sites
    client = api_as(user_a)
    assert client.get(f"/api/v1/core/sites/{site_a.pk}/").status_code == 200
    assert client.get(f"/api/v1/core/sites/{site_b.pk}/").status_code == 404
    codes = [s["code"] for s in client.get("/api/v1/core/sites/").json()["results"]]
    assert codes == ["A1"]


def test_web_page_answers_404_for_another_sites_record(web_as, user_a, two_sites):
    site_a, site_b = two_sites
    client = web_as(user_a)
    assert client.get(reverse("core:site-detail", args=[site_a.pk])).status_code == 200
    assert client.get(reverse("core:site-detail", args=[site_b.pk])).status_code == 404
    listing = client.get(reverse("core:site-list")).content.decode()
    assert "A1" in listing and "B1 ·" not in listing


def test_admin_of_site_a_cannot_edit_site_b_on_the_page(web_as, two_sites):
    """Editing needs the permission AND the site: another site's edit page is a 404 too."""
    site_a, site_b = two_sites
    admin_like = UserFactory(roles=["accountant"], sites=[site_a])
    assert web_as(admin_like).get(reverse("core:site-edit", args=[site_b.pk])).status_code in (403, 404)


def test_user_list_shows_only_people_of_my_sites(api_as, web_as, user_a, two_sites):
    site_a, site_b = two_sites
    colleague = UserFactory(username="colleague", sites=[site_a])
    stranger = UserFactory(username="stranger", sites=[site_b])
    names = {u["username"] for u in api_as(user_a).get("/api/v1/core/users/").json()["results"]}
    assert names == {"at-a", "colleague"}
    assert api_as(user_a).get(f"/api/v1/core/users/{stranger.pk}/").status_code == 404
    assert web_as(user_a).get(reverse("core:user-detail", args=[stranger.pk])).status_code == 404
    assert web_as(user_a).get(reverse("core:user-detail", args=[colleague.pk])).status_code == 200


def test_site_codes_of_other_sites_are_unknown_in_bodies(rf, user_a):
    """A code of a site the requester cannot see reads exactly like a code that does not exist."""
    from core.api.serializers import UserSerializer

    request = rf.post("/")
    request.user = user_a
    mine = UserSerializer(data={"username": "n1", "sites": ["A1"]}, context={"request": request})
    assert mine.is_valid(), mine.errors
    theirs = UserSerializer(data={"username": "n2", "sites": ["B1"]}, context={"request": request})
    assert not theirs.is_valid()
    assert "Unknown code 'B1'" in str(theirs.errors["sites"])


def test_admin_sees_every_site(two_sites):
    admin = UserFactory(roles=["admin"])
    assert set(selectors.site_list(user=admin).values_list("code", flat=True)) == {"A1", "B1"}


def test_user_without_sites_sees_no_site(two_sites):
    loner = UserFactory(roles=["supervisor"])
    assert not selectors.site_list(user=loner).exists()


def test_companies_follow_the_sites(api_as, two_sites):
    other_company = CompanyFactory(code="ELSE")
    SiteFactory(code="C1", company=other_company)
    site_a, _ = two_sites
    user = UserFactory(roles=["planner"], sites=[site_a])
    assert [c["code"] for c in api_as(user).get("/api/v1/core/companies/").json()["results"]] == ["CO"]
    assert api_as(user).get(f"/api/v1/core/companies/{other_company.pk}/").status_code == 404
