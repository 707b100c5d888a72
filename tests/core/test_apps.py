"""After migrate (or a flush) every role holds its permissions in every app, not only core's."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command


@pytest.mark.django_db(transaction=True)
def test_roles_get_every_apps_permissions_on_a_fresh_database():
    call_command("flush", "--noinput", verbosity=0)  # post_migrate rebuilds permissions and roles

    operator = Group.objects.get(name="operator")
    granted = set(operator.permissions.values_list("content_type__app_label", "codename"))
    assert ("wms", "view_bin") in granted
    assert ("wms", "add_stockmove") in granted
    assert ("core", "add_item") not in granted
