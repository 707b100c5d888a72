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


def test_a_company_of_two_of_my_sites_resolves_by_code_once(rf, two_sites):
    """A company reached through several of the user's sites is one record, not one per site."""
    from core.api.serializers import SiteSerializer
    from core.selectors.master_data import company_list

    user = UserFactory(roles=["planner"], sites=list(two_sites))
    assert list(company_list(user=user).values_list("code", flat=True)) == ["CO"]
    request = rf.post("/")
    request.user = user
    serializer = SiteSerializer(data={"code": "N1", "name": "n", "company": "CO"}, context={"request": request})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["company"].code == "CO"


def test_record_choices_on_forms_offer_and_accept_only_my_sites(user_a, two_sites):
    from django import forms

    from core.forms import scope_choices
    from core.models import Site

    site_a, site_b = two_sites

    class PickSite(forms.Form):
        site = forms.ModelChoiceField(queryset=Site.objects.all())

    form = PickSite(data={"site": site_b.pk})
    scope_choices(form, user_a)
    assert list(form.fields["site"].queryset) == [site_a]
    assert not form.is_valid()


def test_editing_needs_the_site_as_well_as_the_permission(web_as, two_sites):
    """A user allowed to change sites edits its own site; another site's edit page is a 404."""
    from django.contrib.auth.models import Group, Permission

    site_a, site_b = two_sites
    editor = UserFactory(roles=["supervisor"], sites=[site_a])
    group = Group.objects.create(name="site editors")
    group.permissions.add(Permission.objects.get(codename="change_site"))
    editor.groups.add(group)
    client = web_as(editor)
    assert client.get(reverse("core:site-edit", args=[site_a.pk])).status_code == 200
    assert client.get(reverse("core:site-edit", args=[site_b.pk])).status_code == 404
    response = client.post(
        reverse("core:site-edit", args=[site_b.pk]), {"code": "B1", "name": "Taken", "company": site_b.company_id}
    )
    assert response.status_code == 404
    site_b.refresh_from_db()
    assert site_b.name != "Taken"


def test_supervisor_cannot_edit_people_or_their_own_roles(api_as, web_as, user_a, two_sites):
    """Neither through the API nor on the pages: the user pages and endpoints are for admins."""
    colleague = UserFactory(username="col-a", roles=["operator"], sites=[two_sites[0]])
    api = api_as(user_a)
    assert api.patch(f"/api/v1/core/users/{user_a.pk}/", {"roles": ["admin"]}, format="json").status_code == 403
    assert (
        api.patch(f"/api/v1/core/users/{colleague.pk}/", {"password": "Taken-0ver-now!"}, format="json").status_code
        == 403
    )
    assert api.post("/api/v1/core/users/", {"username": "mine", "roles": ["admin"]}, format="json").status_code == 403
    web = web_as(user_a)
    own_edit = reverse("core:user-edit", args=[user_a.pk])
    assert web.get(own_edit).status_code == 403
    assert (
        web.post(own_edit, {"username": "at-a", "roles": ["admin"], "sites": [s.pk for s in two_sites]}).status_code
        == 403
    )
    assert web.get(reverse("core:user-create")).status_code == 403
    user_a.refresh_from_db()
    user_a._roles_cache = None
    assert user_a.roles == ["supervisor"]
    assert list(user_a.sites.values_list("code", flat=True)) == ["A1"]
    colleague.refresh_from_db()
    assert not colleague.check_password("Taken-0ver-now!")
