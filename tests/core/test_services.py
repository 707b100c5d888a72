"""Master-data and user services, and the audit-trail selector built on their history."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.errors import PermissionDenied, RecordInUse
from core.models import Event, Item, Site, User
from core.selectors.audit import audit_trail
from core.services import master_data, users
from core.services.signatures import sign
from tests.factories import CompanyFactory, ItemFactory, SiteFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return UserFactory(username="adm", first_name="Ada", last_name="Admin", roles=["admin"])


def test_create_record_validates_saves_audits_and_publishes(admin):
    unit = UnitFactory()
    item = master_data.create_record(
        model=Item, user=admin, data={"code": "NEW-1", "name": "New", "type": "raw", "base_unit": unit}
    )
    assert item.history.get().history_user == admin
    assert Event.objects.filter(name="core.item.created", payload__code="NEW-1").exists()


def test_create_record_refuses_invalid_data_and_saves_nothing(admin):
    with pytest.raises(ValidationError) as caught:
        master_data.create_record(
            model=Item,
            user=admin,
            data={
                "code": "bad code!",
                "name": "x",
                "type": "raw",
                "base_unit": UnitFactory(),
                "standard_cost": Decimal("-1"),
            },
        )
    assert {"code", "standard_cost"} <= caught.value.error_dict.keys()
    assert not Item.objects.exists()
    assert not Event.objects.filter(name="core.item.created").exists()


def test_update_record_keeps_old_values_in_history(admin):
    site = SiteFactory(time_zone="UTC")
    master_data.update_record(instance=site, user=admin, data={"time_zone": "Europe/Berlin"})
    site.refresh_from_db()
    assert site.time_zone == "Europe/Berlin"
    latest = site.history.order_by("-history_date").first()
    assert latest.history_user == admin
    assert latest.prev_record.time_zone == "UTC"
    assert Event.objects.filter(name="core.site.updated", site=site).exists()


def test_update_record_rejects_unknown_time_zone(admin):
    site = SiteFactory(time_zone="UTC")
    with pytest.raises(ValidationError):
        master_data.update_record(instance=site, user=admin, data={"time_zone": "Nowhere/City"})
    site.refresh_from_db()
    assert site.time_zone == "UTC"


def test_delete_record_in_use_is_refused(admin):
    company = CompanyFactory()
    SiteFactory(company=company)
    with pytest.raises(RecordInUse):
        master_data.delete_record(instance=company, user=admin)


def test_delete_record_publishes(admin):
    site = SiteFactory(code="GONE")
    master_data.delete_record(instance=site, user=admin)
    assert not Site.objects.filter(code="GONE").exists()
    assert Event.objects.filter(name="core.site.deleted", payload__code="GONE").exists()


def test_create_user_with_roles_sites_and_password(admin):
    site = SiteFactory()
    new = users.create_user(
        user=admin, data={"username": "li", "password": "Quite-long-pass-9", "roles": ["operator"], "sites": [site]}
    )
    assert new.roles == ["operator"]
    assert list(new.sites.all()) == [site]
    assert new.check_password("Quite-long-pass-9")
    assert new.has_perm("core.view_item")
    assert not new.has_perm("core.add_item")


def test_create_user_without_password_cannot_sign_in(admin):
    new = users.create_user(user=admin, data={"username": "system-x"})
    assert not new.has_usable_password()


def test_create_user_rejects_weak_password(admin):
    with pytest.raises(ValidationError):
        users.create_user(user=admin, data={"username": "weakling", "password": "password"})
    assert not User.objects.filter(username="weakling").exists()


def test_update_user_replaces_roles_but_keeps_other_groups(admin):
    from django.contrib.auth.models import Group

    worker = UserFactory(roles=["operator"])
    worker.groups.add(Group.objects.create(name="night-shift"))
    users.update_user(instance=worker, user=admin, data={"roles": ["supervisor"]})
    assert sorted(worker.groups.values_list("name", flat=True)) == ["night-shift", "supervisor"]


def test_deactivate_user_revokes_token(admin):
    from rest_framework.authtoken.models import Token

    worker = UserFactory()
    users.issue_token(user=worker)
    users.deactivate_user(instance=worker, user=admin)
    worker.refresh_from_db()
    assert not worker.is_active
    assert not Token.objects.filter(user=worker).exists()


def test_issue_token_replaces_the_old_one():
    worker = UserFactory()
    first = users.issue_token(user=worker)
    second = users.issue_token(user=worker)
    assert first.key != second.key
    from rest_framework.authtoken.models import Token

    assert list(Token.objects.filter(user=worker)) == [second]


# --- audit trail selector -----------------------------------------------------------------------


def test_audit_trail_lists_who_changed_what_from_what_to_what(admin):
    unit = UnitFactory()
    other_unit = UnitFactory(code="kg", name="kilogram", dimension="mass")
    item = master_data.create_record(
        model=Item, user=admin, data={"code": "AT-1", "name": "Old", "type": "raw", "base_unit": unit}
    )
    editor = UserFactory(username="ed", first_name="Ed", last_name="Itor")
    master_data.update_record(
        instance=item, user=editor, data={"name": "New", "type": "finished", "base_unit": other_unit}
    )
    trail = audit_trail(record=item, user=admin)
    changed, created = trail.entries
    assert created.action == "created" and created.who == "Ada Admin"
    assert changed.action == "changed" and changed.who == "Ed Itor"
    changes = {c.field: (c.old, c.new) for c in changed.changes}
    assert changes["name"] == ("Old", "New")
    assert changes["type"] == ("Raw material", "Finished good")
    assert changes["base_unit"] == ("pcs", "kg")
    assert "updated_at" not in changes


def test_audit_trail_shows_site_changes_of_a_user(admin):
    p1, p2 = SiteFactory(code="P1"), SiteFactory(code="P2")
    worker = users.create_user(user=admin, data={"username": "mover", "sites": [p1]})
    users.update_user(instance=worker, user=admin, data={"sites": [p2]})
    trail = audit_trail(record=worker, user=admin)
    site_changes = [c for entry in trail.entries for c in entry.changes if c.field == "sites"]
    assert site_changes, [e.changes for e in trail.entries]
    assert "P1" in site_changes[0].old
    assert "P2" in site_changes[0].new


def test_audit_trail_carries_signatures(admin):
    item = ItemFactory()
    signature = sign(user=admin, password="correct-horse-battery", meaning="approved", record=item)
    trail = audit_trail(record=item, user=admin)
    assert trail.signatures == [signature]
    assert trail.entries[0].signatures == [signature]


def test_audit_trail_of_a_record_without_history(admin):
    from core.models import Webhook

    hook = Webhook.objects.create(name="x", url="https://x.example.com", secret="s" * 16)
    trail = audit_trail(record=hook, user=admin)
    assert trail.entries == []
    assert not trail


def test_role_changes_are_named_in_the_audit_trail(admin):
    worker = users.create_user(user=admin, data={"username": "promoted", "roles": ["operator"]})
    users.update_user(instance=worker, user=admin, data={"roles": ["operator", "supervisor"]})
    users.update_user(instance=worker, user=admin, data={"roles": ["supervisor", "operator"]})  # no change
    reasons = [e.reason for e in audit_trail(record=worker, user=admin).entries]
    assert reasons == ["roles: operator → operator, supervisor", "roles: - → operator"]


def test_item_trail_includes_its_pack_conversions(admin):
    from core.models import UnitConversion

    item = ItemFactory(code="PACKED", base_unit=UnitFactory())
    box = UnitFactory(code="box", name="box", dimension="count")
    conversion = master_data.create_record(
        model=UnitConversion, user=admin, data={"item": item, "unit": box, "factor": Decimal("50")}
    )
    master_data.update_record(instance=conversion, user=admin, data={"factor": Decimal("48")})
    master_data.delete_record(instance=UnitConversion.objects.get(pk=conversion.pk), user=admin)
    entries = [e for e in audit_trail(record=item, user=admin).entries if e.subject]
    assert [e.action for e in entries] == ["deleted", "changed", "created"]
    assert all(e.subject == "Unit conversion box" for e in entries)
    deleted, changed, created = entries
    assert {c.field: (c.old, c.new) for c in changed.changes} == {"factor": ("50", "48")}
    assert ("unit", "—", "box") in [(c.field, c.old, c.new) for c in created.changes]
    assert ("factor", "48", "—") in [(c.field, c.old, c.new) for c in deleted.changes]


# --- who may give roles and sites ---------------------------------------------------------------


@pytest.fixture
def plant_people():
    """A supervisor of site A (as if their role could manage people), a colleague, an admin."""
    company = CompanyFactory(code="PP")
    site_a, site_b = SiteFactory(code="PA", company=company), SiteFactory(code="PB", company=company)
    boss = UserFactory(username="sup", roles=["supervisor"], sites=[site_a])
    colleague = UserFactory(username="col", roles=["operator"], sites=[site_a, site_b])
    chief = UserFactory(username="chief", roles=["admin"], sites=[site_a])
    return boss, colleague, chief, site_a, site_b


def test_non_admin_cannot_give_themselves_roles_or_sites(plant_people):
    boss, _colleague, _chief, site_a, site_b = plant_people
    with pytest.raises(PermissionDenied):
        users.update_user(instance=boss, user=boss, data={"roles": ["supervisor", "planner"]})
    with pytest.raises(PermissionDenied):
        users.update_user(instance=boss, user=boss, data={"sites": [site_a, site_b]})
    boss = User.objects.get(pk=boss.pk)
    assert boss.roles == ["supervisor"]
    assert list(boss.sites.values_list("code", flat=True)) == ["PA"]


def test_non_admin_cannot_hand_out_the_admin_role_or_foreign_sites(plant_people):
    boss, colleague, _chief, _site_a, site_b = plant_people
    with pytest.raises(PermissionDenied):
        users.update_user(instance=colleague, user=boss, data={"roles": ["admin"]})
    with pytest.raises(PermissionDenied):
        users.create_user(user=boss, data={"username": "new1", "sites": [site_b]})
    with pytest.raises(PermissionDenied):
        users.create_user(user=boss, data={"username": "new2", "is_superuser": True})
    assert User.objects.get(pk=colleague.pk).roles == ["operator"]
    assert not User.objects.filter(username__in=["new1", "new2"]).exists()


def test_non_admin_cannot_touch_an_administrator(plant_people):
    boss, _colleague, chief, _site_a, _site_b = plant_people
    with pytest.raises(PermissionDenied):
        users.update_user(instance=chief, user=boss, data={"password": "Taken-0ver-now!"})
    with pytest.raises(PermissionDenied):
        users.deactivate_user(instance=chief, user=boss)
    chief.refresh_from_db()
    assert chief.is_active and not chief.check_password("Taken-0ver-now!")


def test_editing_a_colleague_keeps_the_sites_the_editor_cannot_see(plant_people):
    boss, colleague, _chief, site_a, _site_b = plant_people
    users.update_user(instance=colleague, user=boss, data={"roles": ["operator", "warehouse"], "sites": [site_a]})
    colleague = User.objects.get(pk=colleague.pk)
    assert colleague.roles == ["operator", "warehouse"]
    assert sorted(colleague.sites.values_list("code", flat=True)) == ["PA", "PB"]


def test_admin_gives_any_role_and_site(plant_people, admin):
    boss, _colleague, _chief, _site_a, site_b = plant_people
    users.update_user(instance=boss, user=admin, data={"roles": ["admin"], "sites": [site_b]})
    boss = User.objects.get(pk=boss.pk)
    assert boss.roles == ["admin"]
    assert list(boss.sites.values_list("code", flat=True)) == ["PB"]


def test_audit_trail_names_people_and_dates_one_way(admin):
    import datetime

    from core.lockout import record_signature_failure
    from tests.wms.factories import LotFactory

    lot = LotFactory(expiry=datetime.date(2026, 3, 1))
    lot.expiry = datetime.date(2026, 4, 15)
    lot._history_user = admin
    lot.save()
    record_signature_failure(user=admin, record=lot)  # what a wrong signature password leaves
    trail = audit_trail(record=lot, user=admin)
    changes = {c.field: (c.old, c.new) for entry in trail.entries for c in entry.changes}
    assert changes["expiry"] == ("2026-03-01", "2026-04-15")
    refused = next(entry for entry in trail.entries if entry.action == "signature_refused")
    assert refused.who == "Ada Admin"  # the full name, as on every other entry
