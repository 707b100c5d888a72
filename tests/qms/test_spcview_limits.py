"""Phase II control limits set from a phase I baseline, e-signed by quality, and the chart they
give later subgroups."""

import numpy as np
import pytest

from core.errors import PermissionDenied, SignatureInvalid, ValidationFailed
from core.models import Signature
from core.roles import sync_roles
from qms.models import ControlLimits
from qms.services import spc_charts
from qms.spc import analyze
from tests.factories import SiteFactory, UserFactory
from tests.qms.factories import CharacteristicFactory
from tests.qms.spc_data import in_control, record

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def setup():
    sync_roles()
    site = SiteFactory(code="QL1")
    characteristic = CharacteristicFactory()
    baseline = in_control(25)
    keys = record(characteristic, site, baseline)
    quality = UserFactory(username="qe-limits", roles=["quality"], sites=[site])
    return {"site": site, "characteristic": characteristic, "keys": keys, "baseline": baseline, "quality": quality}


def test_limits_from_the_baseline_match_phase_one_of_those_subgroups(setup):
    keys = setup["keys"]
    limits = spc_charts.set_control_limits(
        characteristic=setup["characteristic"],
        site=setup["site"],
        user=setup["quality"],
        password=PASSWORD,
        first_subgroup=keys[0],
        last_subgroup=keys[19],
        reason="Process qualified",
    )
    values = np.array(setup["baseline"][:20]).ravel()
    labels = np.repeat(keys[:20], 5)
    expected = analyze("xbar_r", subgroups=labels, values=values)
    assert limits.baseline_subgroups == 20
    assert limits.center == pytest.approx(expected.center[0])
    assert limits.ucl == pytest.approx(expected.ucl[0])
    assert limits.lcl == pytest.approx(expected.lcl[0])
    assert limits.secondary_ucl == pytest.approx(expected.secondary.ucl[0])
    assert limits.set_by == setup["quality"] and limits.active
    signature = Signature.objects.get(object_id=str(limits.pk))
    assert signature.meaning == "approved" and signature.user == setup["quality"]
    assert limits.history.count() == 1


def test_phase_two_judges_later_subgroups_against_the_stored_limits(setup):
    site, characteristic, keys = setup["site"], setup["characteristic"], setup["keys"]
    limits = spc_charts.set_control_limits(
        characteristic=characteristic,
        site=site,
        user=setup["quality"],
        password=PASSWORD,
        first_subgroup=keys[0],
        last_subgroup=keys[24],
    )
    # The process drifts by one sigma of the means: phase I over all data would absorb it.
    shifted = [[v + 0.006 for v in group] for group in in_control(10, seed=7)]
    record(characteristic, site, shifted, first=25)
    chart = spc_charts.chart_measurements(characteristic=characteristic, site=site)
    assert chart.phase == 2
    assert chart.result.ucl[-1] == pytest.approx(limits.ucl)
    assert chart.result.center[0] == pytest.approx(limits.center)
    assert any(v["subgroup"] > 25 and v["rule"] in (2, 5, 6) for v in chart.result.violations)
    data = chart.to_dict()
    assert data["phase"] == 2 and data["limits_set"]["baseline_last"] == keys[24]


def test_new_limits_replace_the_old_ones_which_stay_on_record(setup):
    keys = setup["keys"]
    kwargs = {"characteristic": setup["characteristic"], "site": setup["site"], "user": setup["quality"]}
    first = spc_charts.set_control_limits(**kwargs, password=PASSWORD, first_subgroup=keys[0], last_subgroup=keys[9])
    second = spc_charts.set_control_limits(**kwargs, password=PASSWORD, first_subgroup=keys[10], last_subgroup=keys[24])
    first.refresh_from_db()
    assert not first.active and second.active
    assert ControlLimits.objects.filter(active=True).count() == 1


def test_a_wrong_password_sets_nothing(setup):
    keys = setup["keys"]
    with pytest.raises(SignatureInvalid):
        spc_charts.set_control_limits(
            characteristic=setup["characteristic"],
            site=setup["site"],
            user=setup["quality"],
            password="wrong",
            first_subgroup=keys[0],
            last_subgroup=keys[9],
        )
    assert not ControlLimits.objects.exists()


def test_only_quality_sets_limits_and_only_from_known_subgroups(setup):
    keys = setup["keys"]
    operator = UserFactory(username="op-limits", roles=["operator"], sites=[setup["site"]])
    base = {"characteristic": setup["characteristic"], "site": setup["site"], "password": PASSWORD}
    with pytest.raises(PermissionDenied):
        spc_charts.set_control_limits(**base, user=operator, first_subgroup=keys[0], last_subgroup=keys[9])
    with pytest.raises(ValidationFailed) as unknown:
        spc_charts.set_control_limits(**base, user=setup["quality"], first_subgroup="NOPE", last_subgroup=keys[9])
    assert unknown.value.field == "first_subgroup"
    with pytest.raises(ValidationFailed) as reversed_range:
        spc_charts.set_control_limits(**base, user=setup["quality"], first_subgroup=keys[9], last_subgroup=keys[2])
    assert reversed_range.value.field == "last_subgroup"
    assert not ControlLimits.objects.exists()
